//! `docker network create|ls|inspect|rm|prune|connect|disconnect`.

use std::collections::BTreeMap;

use whaleshell_runtime::network::{CreateOptions, NetworkRecord};
use whaleshell_runtime::{Error, Runtime};

use super::error::{each_target, CommandError, CommandResult};
use super::prune::confirm;
use crate::grammar::docker::{NetworkCommand, NetworkLsArgs};
use crate::io::Io;
use crate::output::{print_format, table, TemplateWords};
use crate::template::{Struct, Value};

const NETWORK_HEADERS: &[(&str, &str)] = &[
    ("ID", "NETWORK ID"),
    ("Name", "NAME"),
    ("Driver", "DRIVER"),
    ("Scope", "SCOPE"),
    ("IPv6", "IPV6"),
    ("Internal", "INTERNAL"),
    ("Labels", "LABELS"),
    ("CreatedAt", "CREATED AT"),
];

pub fn run(rt: &Runtime, command: &NetworkCommand, io: &mut Io<'_>) -> CommandResult {
    match command {
        NetworkCommand::Create(args) => {
            // The client's own checks, before the daemon's.
            if args.subnet.len() > 1 || args.gateway.len() > 1 {
                return Err(CommandError::Client("Whaleshell's networks have one IPv4 subnet each: give --subnet and --gateway once".into()));
            }
            if args.subnet.is_empty() && !args.gateway.is_empty() {
                return Err(CommandError::Client("every ip-range or gateway must have a corresponding subnet".into()));
            }
            let options = CreateOptions {
                name: args.name.clone(),
                driver: args.driver.clone(),
                subnet: args.subnet.first().cloned(),
                gateway: args.gateway.first().cloned(),
                internal: args.internal,
                labels: labels(&args.label),
            };
            io.out(rt.networks.create(&options)?.id);
        }
        NetworkCommand::Ls(args) => return ls(rt, args, io),
        NetworkCommand::Inspect(args) => {
            return super::inspect::inspect(rt, Some(super::inspect::Kind::Network), args.format.as_deref(), false, &args.names, io)
        }
        NetworkCommand::Rm(args) => {
            return each_target(&args.names, |name| {
                rt.remove_network(name)?;
                io.out(name);
                Ok(())
            })
        }
        NetworkCommand::Prune(args) => {
            if args.force || confirm("WARNING! This will remove all custom networks not used by at least one container.", io) {
                super::prune::print_block(io, "Deleted Networks:", &rt.prune_networks()?);
            }
        }
        NetworkCommand::Connect(args) => rt.connect_network(&args.network, &args.container, &args.alias, args.ip.as_deref())?,
        NetworkCommand::Disconnect(args) => rt.disconnect_network(&args.network, &args.container)?,
    }
    Ok(0)
}

fn labels(list: &[String]) -> BTreeMap<String, String> {
    list.iter().map(|l| l.split_once('=').map_or((l.clone(), String::new()), |(k, v)| (k.to_owned(), v.to_owned()))).collect()
}

/// `network ls --filter`: Docker's keys; several values of one key match any.
fn matches(n: &NetworkRecord, filters: &BTreeMap<String, Vec<String>>) -> bool {
    filters.iter().all(|(key, values)| {
        values.iter().any(|v| match key.as_str() {
            "driver" => n.driver.as_str() == v,
            "id" => n.id.starts_with(v.as_str()),
            "name" => n.name.contains(v.as_str()),
            "scope" => v == "local",
            "type" => (v == "builtin") == n.predefined,
            "label" => match v.split_once('=') {
                Some((k, val)) => n.labels.get(k).is_some_and(|x| x == val),
                None => n.labels.contains_key(v),
            },
            _ => false,
        })
    })
}

fn ls(rt: &Runtime, args: &NetworkLsArgs, io: &mut Io<'_>) -> CommandResult {
    super::ps::check_filter_format(&args.filter, "docker network ls [OPTIONS]", "docker network ls")?;
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &args.filter {
        let (k, v) = f.split_once('=').unwrap_or((f, ""));
        if !["driver", "id", "label", "name", "scope", "type", "dangling"].contains(&k) {
            return Err(CommandError::Daemon(Error::Network(format!("Invalid filter '{k}'"))));
        }
        if k == "type" && v != "custom" && v != "builtin" {
            return Err(CommandError::Daemon(Error::Network(format!("invalid filter: 'type'='{v}'"))));
        }
        filters.entry(k.to_owned()).or_default().push(v.to_owned());
    }
    let dangling = filters.remove("dangling");
    let mut networks: Vec<NetworkRecord> = rt.networks.list()?.into_iter().filter(|n| matches(n, &filters)).collect();
    if let Some(values) = dangling {
        let want = values.iter().any(|v| v == "true" || v == "1");
        let mut kept = Vec::new();
        for n in networks {
            if !n.predefined && rt.network_users(&n)?.is_empty() == want {
                kept.push(n);
            }
        }
        networks = kept;
    }
    let id = |n: &NetworkRecord| if args.no_trunc { n.id.clone() } else { n.short_id().to_owned() };
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        let rows: Vec<Value> = networks
            .iter()
            .map(|n| {
                let labels = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
                Struct::context("*formatter.networkContext")
                    .field("ID", id(n))
                    .field("Name", n.name.as_str())
                    .field("Driver", n.driver.as_str())
                    .field("Scope", "local")
                    .field("IPv6", "false")
                    .field("Internal", n.internal.to_string())
                    .field("Labels", labels)
                    .field("CreatedAt", n.created.format("%Y-%m-%d %H:%M:%S%.f +0000 UTC").to_string())
                    .into_value()
            })
            .collect();
        let words = TemplateWords { parse: "template parsing error: ", exec: "template parsing error: " };
        return print_format(io.stdout, source, &rows, NETWORK_HEADERS, &words).map(|()| 0).map_err(CommandError::Client);
    }
    if args.quiet {
        networks.iter().for_each(|n| io.out(id(n)));
        return Ok(0);
    }
    let mut rows = vec![vec!["NETWORK ID".to_owned(), "NAME".to_owned(), "DRIVER".to_owned(), "SCOPE".to_owned()]];
    rows.extend(networks.iter().map(|n| vec![id(n), n.name.clone(), n.driver.as_str().to_owned(), "local".to_owned()]));
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}
