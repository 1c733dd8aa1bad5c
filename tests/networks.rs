//! Networks on netavark and aardvark-dns: `docker network …`, containers
//! on user networks finding each other by name, the default bridge, the
//! other `--network` modes, and everything gone after.

mod common;

use common::{iptables_rules, Lab};

/// The lab's own `--subnet`: a /24 of 10.0.0.0/8 no other network on the host
/// holds (parallel tests, other roots), found by asking Whaleshell for it.
fn create_with_free_subnet(lab: &Lab, name: &str) -> String {
    for attempt in 0..50u32 {
        let n = std::process::id().wrapping_mul(31).wrapping_add(attempt * 7919) % 60000;
        let subnet = format!("10.{}.{}.0/24", 150 + n / 256 % 100, n % 256);
        let run = lab.run(&format!("docker network create --subnet {subnet} {name}"));
        if run.code == 0 {
            return subnet;
        }
        assert!(run.stderr.contains("Pool overlaps"), "{}", run.stderr);
    }
    panic!("no free /24 found for the test");
}

fn normalized(text: &str, subnet: &str) -> String {
    let prefix = subnet.trim_end_matches("0/24");
    let text = text.replace(subnet, "[SUBNET]").replace(prefix, "[NET].");
    let text = regex::Regex::new(r#""Created": "[^"]+""#).unwrap().replace_all(&text, r#""Created": "[TIME]""#).into_owned();
    let text = regex::Regex::new(r"172\.\d+\.0\.0/16|192\.168\.\d+\.0/20").unwrap().replace_all(&text, "[POOL]").into_owned();
    let text = regex::Regex::new(r"\b(172\.\d+\.0\.1|192\.168\.\d+\.1)\b").unwrap().replace_all(&text, "[POOL-GATEWAY]").into_owned();
    common::docker_tables(&text)
}

#[test]
fn network_commands_answer_as_docker() {
    let lab = Lab::new();
    let subnet = create_with_free_subnet(&lab, "backend");
    let labelled = lab.run("docker network create --label tier=front frontend");
    assert_eq!(labelled.code, 0, "{}", labelled.stderr);
    let mut out = String::new();
    for line in [
        "docker network ls",
        "docker network ls -q --filter type=custom",
        "docker network ls --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.Labels}}'",
        "docker network ls -f label=tier=front -f driver=bridge",
        "docker network inspect backend",
        "docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' frontend",
        "docker network inspect -f '{{.Name}}' bridge nope",
        "docker network create backend",
        "docker network create -d foo x",
        "docker network create -d host x",
        "docker network create --gateway 10.1.1.1 x",
        "docker network create --subnet bad x",
        &format!("docker network create --subnet {subnet} x"),
        "docker network rm bridge",
        "docker network rm nope",
        "docker network rm frontend",
        "docker network prune -f",
        "docker network ls -q --filter type=custom",
    ] {
        let run = lab.run(line);
        // A blank line ends each, as the table check wants.
        out.push_str(&format!("$ {line}  [exit {}]\n{}{}\n", run.code, run.stdout, run.stderr));
    }
    insta::assert_snapshot!(normalized(&out, &subnet));
    assert!(!iptables_rules().contains(&subnet), "the removed network left rules");
    lab.assert_clean();
}

#[test]
fn containers_on_a_user_network_find_each_other_by_name_and_not_across_networks() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker network create front").code, 0);
    assert_eq!(lab.run("docker network create back").code, 0);
    lab.run_detached("docker run -d --name web --network front --network-alias www busybox sh -c 'mkdir /site && echo hello from web > /site/index.html && exec httpd -f -p 80 -h /site'");
    let web_ip = lab.inspect("{{.NetworkSettings.Networks.front.IPAddress}}", "web");
    let by_name = lab.run("docker run --rm --network front busybox sh -c 'wget -qO- http://web/ && wget -qO- http://www/ && ping -c1 web | head -1'");
    assert_eq!(by_name.stdout, format!("hello from web\nhello from web\nPING web ({web_ip}): 56 data bytes\n"), "{}", by_name.stderr);
    let across = lab.run("docker run --rm --network back busybox ping -c1 web");
    assert_eq!((across.stderr.as_str(), across.code), ("ping: bad address 'web'\n", 1));
    // As Docker writes them: the container's own address in /etc/hosts, the network's DNS server in resolv.conf.
    let files = lab.run("docker run --rm --network front --name probe busybox sh -c 'tail -1 /etc/hosts; grep -v ^search /etc/resolv.conf'");
    let gateway = lab.run("docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' front").stdout;
    let (hosts_line, resolv) = files.stdout.split_once('\n').expect("two files");
    let (own_ip, own_name) = hosts_line.split_once('\t').expect("an /etc/hosts line");
    let front_subnet = lab.runtime().networks.find("front").unwrap().subnet.unwrap();
    assert!(front_subnet.contains(own_ip.parse().unwrap()), "{hosts_line}");
    assert_eq!(own_name.len(), 12, "the container's hostname, its short ID: {hosts_line}");
    assert_eq!(resolv, format!("nameserver {}options ndots:0\n", gateway));
    let settings: serde_json::Value = serde_json::from_str(&lab.inspect("{{json .NetworkSettings}}", "web")).unwrap();
    let front = &settings["Networks"]["front"];
    assert_eq!(front["Aliases"][0], "www");
    assert_eq!(front["Gateway"].as_str(), Some(gateway.trim()));
    let octets: Vec<u8> = web_ip.split('.').map(|o| o.parse().unwrap()).collect();
    assert_eq!(front["MacAddress"], format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", octets[0], octets[1], octets[2], octets[3]));
    assert_eq!(settings["IPAddress"], "", "Docker fills the top level for the default bridge only");
    assert_eq!(lab.inspect("{{.HostConfig.NetworkMode}}", "web"), "front");
    assert_eq!(lab.run("docker ps -f network=front --format '{{.Names}} {{.Networks}}'").stdout, "web front\n");
    assert_eq!(lab.run("docker ps -q -f network=back").stdout, "");
    let members = lab.run("docker network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' front").stdout;
    assert_eq!(members.trim(), format!("web {web_ip}/16"));
    let busy = lab.run("docker network rm front");
    assert_eq!(busy.code, 1);
    assert!(busy.stderr.contains("has active endpoints"), "{}", busy.stderr);
    let bridge = lab.runtime().networks.find("front").unwrap().bridge.unwrap();
    assert!(std::path::Path::new("/sys/class/net").join(&bridge).exists());
    assert_eq!(lab.run("docker rm -f web").code, 0);
    assert!(!std::path::Path::new("/sys/class/net").join(&bridge).exists(), "the bridge goes with its last container");
    assert_eq!(lab.run("docker network rm front back").stdout, "front\nback\n");
    lab.assert_clean();
}

#[test]
fn the_default_bridge_gives_addresses_but_no_names() {
    let lab = Lab::new();
    lab.run_detached("docker run -d --name one --network bridge busybox sleep 60");
    let ip = lab.inspect("{{.NetworkSettings.IPAddress}}", "one");
    assert_eq!(lab.inspect("{{.NetworkSettings.Networks.bridge.IPAddress}}", "one"), ip);
    assert!(lab.inspect("{{.NetworkSettings.MacAddress}}", "one").starts_with("02:42:"));
    let by_ip = lab.run(&format!("docker run --rm --network bridge busybox ping -c1 -W5 {ip}"));
    assert_eq!(by_ip.code, 0, "{}{}", by_ip.stdout, by_ip.stderr);
    let by_name = lab.run("docker run --rm --network bridge busybox ping -c1 one");
    assert_eq!((by_name.stderr.as_str(), by_name.code), ("ping: bad address 'one'\n", 1));
    let refused = lab.run("docker run --rm --network bridge --network-alias x busybox true");
    assert_eq!(refused.code, 125);
    assert_eq!(
        refused.stderr,
        "docker: Error response from daemon: network-scoped alias is supported only for containers in user defined networks\nSee 'docker run --help'.\n"
    );
    assert_eq!(lab.run("docker rm -f one").code, 0);
    lab.assert_clean();
}

#[test]
fn none_host_and_another_containers_network() {
    let lab = Lab::new();
    let none = lab.run("docker run --rm --network none busybox sh -c 'ls /sys/class/net'");
    assert_eq!(none.stdout, "lo\n");
    let host_links = std::fs::read_dir("/sys/class/net").unwrap().count();
    let host = lab.run("docker run --rm --net host busybox ls /sys/class/net");
    assert!(host.stdout.lines().count() >= host_links.min(2), "{}", host.stdout);
    // The host's name and /etc/hosts, as Docker gives them on the host's network.
    let named = lab.run("docker run --rm --network host busybox sh -c 'hostname; cat /etc/hosts'");
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(named.stdout, format!("{}{}", host_name, std::fs::read_to_string("/etc/hosts").unwrap()));
    assert_eq!(lab.run("docker network create shared").code, 0);
    lab.run_detached("docker run -d --name first --network shared busybox sleep 60");
    let ip = lab.inspect("{{.NetworkSettings.Networks.shared.IPAddress}}", "first");
    let joined = lab.run("docker run --rm --network container:first busybox ip -4 -o addr show eth0");
    assert!(joined.stdout.contains(&format!("inet {ip}/")), "{}{}", joined.stdout, joined.stderr);
    // A stopped container keeps a removed network's name, and cannot start without it, as in Docker.
    assert_eq!(lab.run("docker network create gone").code, 0);
    assert_eq!(lab.run("docker create --name orphan --network gone busybox true").code, 0);
    assert_eq!(lab.run("docker network rm gone").code, 0);
    let start = lab.run("docker start orphan");
    assert_eq!((start.stderr.as_str(), start.code), ("Error response from daemon: network gone not found\nError: failed to start containers: orphan\n", 1));
    assert_eq!(lab.inspect("{{.HostConfig.NetworkMode}}", "orphan"), "gone");
    assert_eq!(lab.run("docker rm orphan").code, 0);
    let missing = lab.run("docker run --rm --network nope busybox true");
    assert_eq!((missing.stderr.as_str(), missing.code), ("docker: Error response from daemon: network nope not found\nSee 'docker run --help'.\n", 125));
    assert_eq!(lab.run("docker rm -f first").code, 0);
    lab.assert_clean();
}

#[test]
fn ip_and_connect_and_disconnect_on_a_running_container() {
    let lab = Lab::new();
    let subnet = create_with_free_subnet(&lab, "fixed");
    let prefix = subnet.trim_end_matches("0/24");
    assert_eq!(lab.run("docker network create other").code, 0);
    lab.run_detached(&format!("docker run -d --name c --network fixed --ip {prefix}42 busybox sleep 60"));
    assert_eq!(lab.inspect("{{.NetworkSettings.Networks.fixed.IPAddress}}", "c"), format!("{prefix}42"));
    let taken = lab.run(&format!("docker run --rm --network fixed --ip {prefix}42 busybox true"));
    assert_eq!(taken.code, 125, "{}", taken.stderr);
    let unconfigured = lab.run("docker run --rm --network other --ip 10.0.0.2 busybox true");
    assert_eq!(
        (unconfigured.stderr.as_str(), unconfigured.code),
        ("docker: Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets\nSee 'docker run --help'.\n", 125)
    );
    let connect = lab.run("docker network connect --alias extra other c");
    assert_eq!(connect.code, 0, "{}", connect.stderr);
    let other_ip = lab.inspect("{{.NetworkSettings.Networks.other.IPAddress}}", "c");
    let eth1 = lab.run("docker exec c ip -4 -o addr show eth1");
    assert!(eth1.stdout.contains(&format!("inet {other_ip}/")), "{}{}", eth1.stdout, eth1.stderr);
    let by_alias = lab.run("docker run --rm --network other busybox ping -c1 extra");
    assert!(by_alias.stdout.contains(&format!("({other_ip})")), "{}{}", by_alias.stdout, by_alias.stderr);
    let again = lab.run("docker network connect other c");
    assert_eq!((again.stderr.as_str(), again.code), ("Error response from daemon: endpoint with name c already exists in network other\n", 1));
    assert_eq!(lab.run("docker network disconnect other c").code, 0);
    assert_eq!(lab.run("docker exec c ls /sys/class/net").stdout, "eth0\nlo\n");
    assert_eq!(lab.inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "c"), "fixed");
    let not_on = lab.run("docker network disconnect other c");
    assert_eq!(not_on.code, 1);
    assert!(not_on.stderr.contains("is not connected to network other"), "{}", not_on.stderr);
    assert_eq!(lab.run("docker rm -f c").code, 0);
    assert_eq!(lab.run("docker system prune -f").stdout, "Deleted Networks:\nfixed\nother\n\nTotal reclaimed space: 0B\n");
    assert!(!iptables_rules().contains(&subnet));
    lab.assert_clean();
}

/// With no Whaleshell network set up anywhere on the host (checked under
/// the host-wide lock that every netavark run takes), the chains netavark
/// shares between networks are gone too.
#[test]
fn the_shared_netavark_chains_go_with_the_last_network() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run --rm --network bridge busybox true").code, 0);
    let host = whaleshell_runtime::network::host::lock().unwrap();
    let registry = whaleshell_runtime::network::host::snapshot().unwrap();
    let live = registry.networks.iter().any(|n| whaleshell_runtime::network::host::link_exists(&n.bridge));
    if !live {
        let rules = iptables_rules();
        assert!(!rules.contains("NETAVARK"), "netavark's chains left: {rules}");
    }
    drop(host);
    lab.assert_clean();
}

/// A container whose monitor was killed is settled by the next listing:
/// its network goes with it, as after a normal exit.
#[test]
fn a_killed_monitors_container_leaves_no_network_behind() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker network create orphaned").code, 0);
    let id = lab.run_detached("docker run -d --network orphaned busybox sleep 600");
    let bridge = lab.runtime().networks.find("orphaned").unwrap().bridge.unwrap();
    assert!(std::path::Path::new("/sys/class/net").join(&bridge).exists());
    let monitor = lab.record(&id).state.monitor_pid.expect("a monitor");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(monitor), nix::sys::signal::Signal::SIGKILL).unwrap();
    lab.wait_until("the monitor is gone", || !std::path::Path::new(&format!("/proc/{monitor}")).exists() || !lab.record(&id).monitor_alive());
    let ps = lab.run("docker ps -a --format '{{.Status}}'");
    assert!(ps.stdout.starts_with("Exited (137)"), "{}", ps.stdout);
    assert!(!std::path::Path::new("/sys/class/net").join(&bridge).exists(), "the bridge went with the settled container");
    assert!(lab.record(&id).state.endpoints.is_empty());
    assert_eq!(lab.run(&format!("docker rm {id}")).code, 0);
    lab.assert_clean();
}

/// A restart policy's restarts leave the network and join it again each time.
#[test]
fn a_restarted_container_joins_its_network_again() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker network create again").code, 0);
    let id = lab.run_detached("docker run -d --network again --restart on-failure:1 busybox sh -c 'ls /sys/class/net | tr \"\\n\" \" \"; echo; exit 3'");
    let record =
        lab.wait_for_record(&id, "its one restart done", |r| r.state.restart_count == 1 && r.status() == whaleshell_runtime::container::Status::Exited);
    assert!(record.state.endpoints.is_empty());
    let logs = lab.run(&format!("docker logs {id}")).stdout;
    assert_eq!(logs, "eth0 lo \neth0 lo \n", "both runs on the network");
    let bridge = lab.runtime().networks.find("again").unwrap().bridge.unwrap();
    assert!(!std::path::Path::new("/sys/class/net").join(&bridge).exists());
    assert_eq!(lab.run(&format!("docker rm {id}")).code, 0);
    lab.assert_clean();
}

/// Twelve containers joining one network at once (netavark's runs
/// serialised by the host lock) each get an address of their own, and then
/// all find the one they look for by name; nothing of them is left.
/// (Lookups made *while* others join can be refused: aardvark-dns 1.4
/// binds its sockets again on each reload.)
#[test]
fn many_containers_joining_at_once_get_addresses_of_their_own_and_resolve() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker network create busy").code, 0);
    lab.run_detached("docker run -d --name hub --network busy busybox sleep 120");
    let ids: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..12).map(|_| s.spawn(|| lab.run("docker run -d --network busy busybox sleep 120"))).collect();
        runs.into_iter().map(|r| r.join().expect("a run")).map(|r| r.stdout.trim().to_owned()).collect()
    });
    let mut addresses: Vec<String> = ids.iter().map(|id| lab.inspect("{{.NetworkSettings.Networks.busy.IPAddress}}", id)).collect();
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 12, "{addresses:?}");
    for id in &ids {
        let reply = lab.run(&format!("docker exec {id} ping -c1 -W5 hub"));
        assert!(reply.stdout.contains("1 packets received"), "{}{}", reply.stdout, reply.stderr);
    }
    assert_eq!(lab.run(&format!("docker rm -f hub {}", ids.join(" "))).code, 0);
    assert_eq!(lab.run("docker network rm busy").code, 0);
    lab.assert_clean();
}
