//! Users and groups by name, from an image's own /etc/passwd and
//! /etc/group, resolved as Docker resolves them: `USER`/`-u` when a
//! container starts (runc's rules, supplementary groups included) and
//! `COPY --chown` when a build copies files.

/// Who a container's process runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    /// The groups whose member lists name the user, when no group was asked for.
    pub additional_gids: Vec<u32>,
    /// The user's home in /etc/passwd, `/` without an entry: the process's
    /// `HOME` unless its environment sets one (runc's rule, so Docker's).
    pub home: String,
}

struct PasswdEntry<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
    home: &'a str,
}

struct GroupEntry<'a> {
    name: &'a str,
    gid: u32,
    members: Vec<&'a str>,
}

fn passwd_entries(text: &str) -> impl Iterator<Item = PasswdEntry<'_>> {
    text.lines().filter_map(|line| {
        let mut fields = line.trim().split(':');
        let name = fields.next().filter(|n| !n.is_empty())?;
        let uid = fields.nth(1)?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        let home = fields.nth(1).unwrap_or("");
        Some(PasswdEntry { name, uid, gid, home })
    })
}

fn group_entries(text: &str) -> impl Iterator<Item = GroupEntry<'_>> {
    text.lines().filter_map(|line| {
        let mut fields = line.trim().split(':');
        let name = fields.next().filter(|n| !n.is_empty())?;
        let gid = fields.nth(1)?.parse().ok()?;
        let members = fields.next().unwrap_or("").split(',').filter(|m| !m.is_empty()).collect();
        Some(GroupEntry { name, gid, members })
    })
}

/// `name|uid[:group|gid]` (empty: root), looked up in the container's files
/// (None: the file is missing). Errors are Docker's.
pub fn resolve(spec: &str, passwd: Option<&str>, group: Option<&str>) -> Result<ExecUser, String> {
    let (user_arg, group_arg) = spec.split_once(':').unwrap_or((spec, ""));
    let uid_arg: Option<u32> = user_arg.parse().ok();
    let found = passwd_entries(passwd.unwrap_or("")).find(|u| match (user_arg, uid_arg) {
        ("", _) => u.uid == 0,
        (_, Some(uid)) => u.uid == uid,
        (name, None) => u.name == name,
    });
    let home = found.as_ref().map_or("/", |u| u.home).to_owned();
    let (uid, mut gid, matched) = match (found, uid_arg) {
        (Some(u), _) => (u.uid, u.gid, Some(u.name)),
        (None, Some(uid)) => (uid, 0, None),
        (None, None) if user_arg.is_empty() => (0, 0, None),
        (None, None) => return Err(format!("unable to find user {user_arg}: no matching entries in passwd file")),
    };
    let groups = group.unwrap_or("");
    let mut additional_gids = Vec::new();
    if !group_arg.is_empty() {
        let gid_arg: Option<u32> = group_arg.parse().ok();
        gid = match group_entries(groups).find(|g| gid_arg.map_or(g.name == group_arg, |n| g.gid == n)) {
            Some(g) => g.gid,
            None => gid_arg.ok_or_else(|| format!("unable to find group {group_arg}: no matching entries in group file"))?,
        };
    } else if let Some(name) = matched {
        additional_gids = group_entries(groups).filter(|g| g.members.contains(&name)).map(|g| g.gid).collect();
    }
    Ok(ExecUser { uid, gid, additional_gids, home })
}

/// `COPY --chown=user[:group]`: names or numbers; without a group, the
/// user's spec is looked up as the group too (as Docker does).
pub fn resolve_chown(spec: &str, passwd: Option<&str>, group: Option<&str>) -> Result<(u32, u32), String> {
    let fail = |detail: String| format!("unable to convert uid/gid chown string to host mapping: {detail}");
    let parts: Vec<&str> = spec.split(':').collect();
    let (user, grp) = match parts.as_slice() {
        [user] => (*user, *user),
        [user, grp] => (*user, *grp),
        _ => return Err(fail(format!("invalid chown string format: {spec}"))),
    };
    let uid = match user.parse() {
        Ok(n) => n,
        Err(_) => passwd_entries(passwd.unwrap_or(""))
            .find(|u| u.name == user)
            .map(|u| u.uid)
            .ok_or_else(|| fail(format!("can't find uid for user {user}: no such user: {user}")))?,
    };
    let gid = match grp.parse() {
        Ok(n) => n,
        Err(_) => group_entries(group.unwrap_or(""))
            .find(|g| g.name == grp)
            .map(|g| g.gid)
            .ok_or_else(|| fail(format!("can't find gid for group {grp}: no such group: {grp}")))?,
    };
    Ok((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002:App:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n";
    const GROUP: &str = "root:x:0:\nappgrp:x:1002:\nextra:x:1003:app\nother:x:1004:root,app\nnogroup:x:65534:\n";

    fn user(uid: u32, gid: u32, additional: &[u32]) -> ExecUser {
        let home = match uid {
            0 => "/root",
            1001 => "/home/app",
            65534 => "/home",
            _ => "/",
        };
        ExecUser { uid, gid, additional_gids: additional.to_vec(), home: home.into() }
    }

    /// What `id` showed in real Docker 20.10 containers for each `-u`.
    #[test]
    fn as_docker_resolves_them() {
        for (spec, expected) in [
            ("app", user(1001, 1002, &[1003, 1004])),
            ("app:extra", user(1001, 1003, &[])),
            ("1001", user(1001, 1002, &[1003, 1004])),
            ("1001:1002", user(1001, 1002, &[])),
            ("nobody", user(65534, 65534, &[])),
            ("1000", user(1000, 0, &[])),
            ("1000:1000", user(1000, 1000, &[])),
            ("0", user(0, 0, &[1004])),
            ("", user(0, 0, &[1004])),
            ("root:other", user(0, 1004, &[])),
            ("app:9999", user(1001, 9999, &[])),
        ] {
            assert_eq!(resolve(spec, Some(PASSWD), Some(GROUP)), Ok(expected), "-u {spec}");
        }
        assert_eq!(resolve("ghost", Some(PASSWD), Some(GROUP)), Err("unable to find user ghost: no matching entries in passwd file".into()));
        assert_eq!(resolve("1001:ghostgrp", Some(PASSWD), Some(GROUP)), Err("unable to find group ghostgrp: no matching entries in group file".into()));
        assert_eq!(resolve("ghost", None, None), Err("unable to find user ghost: no matching entries in passwd file".into()));
        assert_eq!(resolve("1000:1000", None, None), Ok(user(1000, 1000, &[])));
        // No /etc/passwd at all: root's HOME is `/`, as runc's default.
        assert_eq!(resolve("", None, None).map(|u| u.home), Ok("/".into()));
    }

    #[test]
    fn chown_as_docker_builds() {
        assert_eq!(resolve_chown("app:extra", Some(PASSWD), Some(GROUP)), Ok((1001, 1003)));
        assert_eq!(resolve_chown("1000:1000", None, None), Ok((1000, 1000)));
        assert_eq!(resolve_chown("1000", None, None), Ok((1000, 1000)));
        assert_eq!(
            resolve_chown("bad", Some(PASSWD), Some(GROUP)),
            Err("unable to convert uid/gid chown string to host mapping: can't find uid for user bad: no such user: bad".into())
        );
        assert_eq!(
            resolve_chown("root:nogroupx", Some(PASSWD), Some(GROUP)),
            Err("unable to convert uid/gid chown string to host mapping: can't find gid for group nogroupx: no such group: nogroupx".into())
        );
        // Without a group the user's name is looked up as a group: busybox has no group "nobody".
        assert!(resolve_chown("nobody", Some(PASSWD), Some(GROUP)).unwrap_err().contains("can't find gid for group nobody"));
    }
}
