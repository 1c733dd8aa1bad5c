//! Docker's documented `--format` examples and Go's template semantics,
//! each with what real Docker (CLI 28.2.2, engine 20.10) printed for it:
//! `docker inspect -f` on a busybox container (`testdata/container.json`
//! is its `docker inspect`), `docker version --format`, and `docker ps`/
//! `docker images --format` on the contexts Docker's own `{{json .}}` gave.

use super::*;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Inspect,
    Version,
    Ps,
    Images,
}
use Kind::*;

const CONTAINER: &str = include_str!("testdata/container.json");
const VERSION: &str = include_str!("testdata/version.json");
const INFO: &str = include_str!("testdata/info.json");
const PS: &str = include_str!("testdata/ps.jsonl");
const IMAGES: &str = include_str!("testdata/images.jsonl");

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("test data is JSON")
}

fn container_shape() -> GoShape<'static> {
    GoShape { maps: CONTAINER_MAPS, slices: CONTAINER_SLICES, omitted: CONTAINER_OMITTED, types: &[] }
}

fn version_value() -> Value {
    let shape = GoShape { maps: &["Server.Components.Details"], types: &[("", "system.versionInfo")], ..GoShape::default() };
    Value::from_json(&json(VERSION), &shape)
}

/// A formatter context as Docker's `ps` builds one: its fields, and `.Label` from the labels.
fn context(type_name: &str, line: &str) -> Value {
    let fields = json(line);
    let mut ctx = Struct::context(type_name);
    for (name, value) in fields.as_object().expect("a JSON object") {
        ctx = ctx.field(name, Value::from_json(value, &GoShape::default()));
    }
    let labels = fields["Labels"].as_str().unwrap_or("").to_owned();
    ctx.method("Label", 1, move |args| {
        let wanted = args[0].as_str().unwrap_or("");
        let value = labels.split(',').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == wanted).map_or("", |(_, v)| v);
        Ok(Value::from(value))
    })
    .into_value()
}

fn rows(kind: Kind) -> (Vec<Value>, Value) {
    let (lines, type_name, headers) = match kind {
        Ps => (PS, "*formatter.ContainerContext", PS_HEADERS),
        _ => (IMAGES, "*formatter.imageContext", IMAGE_HEADERS),
    };
    (lines.lines().map(|l| context(type_name, l)).collect(), header(headers))
}

fn render(kind: Kind, source: &str) -> Result<String, TemplateError> {
    match kind {
        Inspect => Template::parse(source)?.render_json(&json(CONTAINER), &container_shape()),
        Version => Template::parse_named("version", source)?.render(&version_value()),
        Ps | Images => {
            let (rows, header) = rows(kind);
            Format::parse(source)?.render(&rows, &header)
        }
    }
}

#[test]
fn docker_examples_render_as_docker_renders_them() {
    let mut failures = Vec::new();
    for (kind, source, docker) in DOCKER_EXAMPLES {
        let ours = render(*kind, source).map_err(|e| e.to_string());
        let docker = docker.map(str::to_owned).map_err(str::to_owned);
        if ours != docker {
            failures.push(format!("{kind:?} {source:?}\n   docker: {docker:?}\n   ours:   {ours:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} examples differ from Docker:\n{}", failures.len(), DOCKER_EXAMPLES.len(), failures.join("\n"));
}

#[test]
fn json_of_a_context_is_dockers_own_json() {
    for (kind, lines) in [(Ps, PS), (Images, IMAGES)] {
        assert_eq!(render(kind, "{{json .}}").unwrap(), lines);
        assert_eq!(render(kind, "json").unwrap(), lines);
    }
}

#[test]
fn json_of_the_root_is_dockers_own_json() {
    let compact = |text: &str| serde_json::to_string(&json(text)).unwrap();
    let info = Value::from_json(&json(INFO), &GoShape::default());
    assert_eq!(Template::parse("{{json .}}").unwrap().render(&info).unwrap(), compact(INFO));
    assert_eq!(render(Version, "{{json .}}").unwrap(), compact(VERSION));
}

#[test]
fn parse_errors_are_parse_errors() {
    assert!(matches!(Template::parse("{{.Foo"), Err(TemplateError::Parse(_))));
    assert!(matches!(Template::parse("{{.Foo}}").unwrap().render_json(&json("{}"), &GoShape::default()), Err(TemplateError::Exec(_))));
}

#[test]
fn lazy_fields_are_computed_only_when_used() {
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counted = calls.clone();
    let ctx = Struct::context("*formatter.ContainerContext")
        .field("ID", "abc")
        .method("Size", 0, move |_| {
            counted.set(counted.get() + 1);
            Ok(Value::from("2B"))
        })
        .into_value();
    assert_eq!(Template::parse("{{.ID}}").unwrap().render(&ctx).unwrap(), "abc");
    assert_eq!(calls.get(), 0);
    assert_eq!(Template::parse("{{.ID}} {{.Size}}").unwrap().render(&ctx).unwrap(), "abc 2B");
    assert_eq!(calls.get(), 1);
}

/// Where Whaleshell knowingly differs: slices of structs have no Go type name. (kind, template, Docker, ours.)
#[rustfmt::skip]
const KNOWN_GAPS: &[(Kind, &str, &str, &str)] = &[
    (Version, "{{.Server.Components.Foo}}",
     r#"template: version:1:9: executing "version" at <.Server.Components.Foo>: can't evaluate field Foo in type []types.ComponentVersion"#,
     r#"template: version:1:9: executing "version" at <.Server.Components.Foo>: can't evaluate field Foo in type []interface {}"#),
];

#[test]
fn known_gaps_are_as_documented() {
    for (kind, source, docker, ours) in KNOWN_GAPS {
        let rendered = match render(*kind, source) {
            Ok(out) => out,
            Err(e) => e.to_string(),
        };
        assert_eq!(rendered, *ours, "{kind:?} {source:?}");
        assert_ne!(rendered, *docker);
    }
}

/// (what Docker ran, the template, what Docker printed or its error without
/// the command's prefix such as `template parsing error: `).
#[rustfmt::skip]
const DOCKER_EXAMPLES: &[(Kind, &str, Result<&str, &str>)] = &[
    (Inspect, r#"{{.State.Status}}"#, Ok(r#"running"#)),
    (Inspect, r#"{{.State}}"#, Ok(r#"{running true false false false false 29637 0  2026-12-02T18:34:17.572025743Z 0001-01-01T00:00:00Z <nil>}"#)),
    (Inspect, r#"{{.State.Pid}}"#, Ok(r#"29637"#)),
    (Inspect, r#"{{.Config.Labels}}"#, Ok(r#"map[com.example.vendor:ACME version:1.0]"#)),
    (Inspect, r#"{{.Args}}"#, Ok(r#"[3600]"#)),
    (Inspect, r#"{{.Foo}}"#, Err(r#"template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo""#)),
    (Inspect, r#"{{.State.Foo}}"#, Err(r#"template: :1:8: executing "" at <.State.Foo>: map has no entry for key "Foo""#)),
    (Inspect, r#"{{.Foo.Bar}}"#, Err(r#"template: :1:6: executing "" at <.Foo.Bar>: map has no entry for key "Foo""#)),
    (Inspect, r#"{{.State.Status}} {{.Foo}}"#, Err(r#"template: :1:20: executing "" at <.Foo>: map has no entry for key "Foo""#)),
    (Inspect, r#"{{.State.Status.Foo}}"#, Err(r#"template: :1:8: executing "" at <.State.Status.Foo>: can't evaluate field Foo in type interface {}"#)),
    (Inspect, r#"{{.Args.Foo}}"#, Err(r#"template: :1:7: executing "" at <.Args.Foo>: can't evaluate field Foo in type interface {}"#)),
    (Inspect, r#"{{.Config.Labels.nokey}}"#, Ok(r#"<no value>"#)),
    (Inspect, r#"{{.Config.Labels.version}}"#, Ok(r#"1.0"#)),
    (Inspect, r#"{{.Config.Labels.nokey.x}}"#, Ok(r#"<no value>"#)),
    (Inspect, r#"{{.Config.Labels.nokey}} {{.Foo}}"#, Err(r#"template: :1:9: executing "" at <.Config.Labels.nokey>: map has no entry for key "nokey""#)),
    (Inspect, r#"{{index .Config.Labels "com.example.vendor"}}"#, Ok(r#"ACME"#)),
    (Inspect, r#"{{index .Config.Labels "nokey"}}|"#, Ok(r#"|"#)),
    (Inspect, r#"{{json .Config.Labels}}"#, Ok(r#"{"com.example.vendor":"ACME","version":"1.0"}"#)),
    (Inspect, r#"{{json .Config}}"#, Ok(r#"{"Hostname":"b2c46f3a9937","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sleep","3600"],"Image":"busybox","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"com.example.vendor":"ACME","version":"1.0"}}"#)),
    (Inspect, r#"{{json .Mounts}}"#, Ok(r#"[{"Type":"bind","Source":"/tmp","Destination":"/data","Mode":"","RW":true,"Propagation":"rprivate"}]"#)),
    (Inspect, r#"{{json .State}}"#, Ok(r#"{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":29637,"ExitCode":0,"Error":"","StartedAt":"2026-12-02T18:34:17.572025743Z","FinishedAt":"0001-01-01T00:00:00Z"}"#)),
    (Inspect, r#"{{json .State.Health}}"#, Ok(r#"null"#)),
    // Fields Docker's JSON leaves out when empty (`omitempty`) are still in its Go structs.
    (Inspect, r#"{{.Mounts}}"#, Ok(r#"[{bind  /tmp /data   true rprivate}]"#)),
    (Inspect, r#"{{range .Mounts}}{{.Name}}|{{.Driver}}{{end}}"#, Ok(r#"|"#)),
    (Inspect, r#"{{.Config}}"#, Ok(r#"{b2c46f3a9937   false false false map[80/tcp:{}] false false false [PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin] [sleep 3600] <nil> false busybox map[]  [] false  [] map[com.example.vendor:ACME version:1.0]  <nil> []}"#)),
    (Inspect, r#"{{json .Config.Healthcheck}}"#, Ok(r#"null"#)),
    (Inspect, r#"{{.Config.Healthcheck}}"#, Ok(r#"<nil>"#)),
    (Inspect, r#"{{.Config.Shell}} {{json .Config.Shell}}"#, Ok(r#"[] null"#)),
    (Inspect, r#"{{.Config.StopTimeout}} {{.Config.ArgsEscaped}} {{json .Config.MacAddress}}"#, Ok(r#"<nil> false """#)),
    (Inspect, r#"{{.HostConfig.Init}} {{.HostConfig.Tmpfs}} {{json .HostConfig.Mounts}} {{.SizeRw}}"#, Ok(r#"<nil> map[] null <nil>"#)),
    (Inspect, r#"{{.Config.Healthcheck.Test}}"#, Err(r#"template: :1:9: executing "" at <.Config.Healthcheck.Test>: map has no entry for key "Healthcheck""#)),
    (Inspect, r#"{{.Config.Nope}}"#, Err(r#"template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope""#)),
    (Inspect, r#"{{.State.Health.Status}}"#, Err(r#"template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health""#)),
    (Inspect, r#"{{join .Args " , "}}"#, Ok(r#"3600"#)),
    (Inspect, r#"{{lower .Name}}"#, Ok(r#"/tmpl-probe"#)),
    (Inspect, r#"{{upper .Name}}"#, Ok(r#"/TMPL-PROBE"#)),
    (Inspect, r#"{{title .Name}}"#, Ok(r#"/Tmpl-Probe"#)),
    (Inspect, r#"{{split .Image ":"}}"#, Ok(r#"[sha256 555d2e0668515dca0bd0234ab0254fa19ea00247de9ef322df39073af02ae655]"#)),
    (Inspect, r#"{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"#, Ok(r#"172.17.0.2"#)),
    (Inspect, r#"{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}"#, Ok(r#"172.17.0.2
"#)),
    (Inspect, r#"{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}"#, Ok(r#"02:42:ac:11:00:02"#)),
    (Inspect, r#"{{.LogPath}}"#, Ok(r#"/var/lib/docker/containers/b2c46f3a99371269fd49d9827cb6ad6a3a5efc2204fd928eb5bef87cc63c37bb/b2c46f3a99371269fd49d9827cb6ad6a3a5efc2204fd928eb5bef87cc63c37bb-json.log"#)),
    (Inspect, r#"{{.Config.Image}}"#, Ok(r#"busybox"#)),
    (Inspect, r#"{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}} {{end}}"#, Ok(r#" 80/tcp -> 8080 "#)),
    (Inspect, r#"{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}"#, Ok(r#"8080"#)),
    (Inspect, r#"{{.HostConfig.PortBindings}}"#, Ok(r#"map[80/tcp:[{127.0.0.1 8080}]]"#)),
    (Inspect, r#"{{.NetworkSettings.Ports}}"#, Ok(r#"map[80/tcp:[{127.0.0.1 8080}]]"#)),
    (Inspect, r#"{{.HostConfig.ShmSize}}"#, Ok(r#"67108864"#)),
    (Inspect, r#"{{.ExecIDs}}"#, Ok(r#"[]"#)),
    (Inspect, r#"{{.HostConfig.Dns}}"#, Ok(r#"[]"#)),
    (Inspect, r#"{{.Config.ExposedPorts}}"#, Ok(r#"map[80/tcp:{}]"#)),
    (Inspect, r#"{{.HostConfig.LogConfig}}"#, Ok(r#"{json-file map[]}"#)),
    (Inspect, r#"{{.GraphDriver.Data.Foo}}"#, Ok(r#"<no value>"#)),
    (Inspect, r#"{{range .Foo}}x{{end}}"#, Err(r#"template: :1:8: executing "" at <.Foo>: map has no entry for key "Foo""#)),
    (Inspect, r#"{{if .State.Running}}up{{end}} {{if .Config.Labels.nokey}}y{{else}}n{{end}}"#, Ok(r#"up n"#)),
    (Inspect, r#"{{.HostConfig.CpuShares}} {{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}"#, Ok(r#"0 0 0"#)),
    (Inspect, r#"{{.NetworkSettings.Networks.bridge.IPAddress}}"#, Ok(r#"172.17.0.2"#)),
    (Inspect, r#"{{range $k,$v := .Config.Labels}}{{$k}}={{$v}} {{end}}"#, Ok(r#"com.example.vendor=ACME version=1.0 "#)),
    (Inspect, r#"{{len .State}}"#, Ok(r#"11"#)),
    (Inspect, r#"{{range .State}}{{.}},{{end}}"#, Ok(r#"false,,0,0001-01-01T00:00:00Z,false,false,29637,false,true,2026-12-02T18:34:17.572025743Z,running,"#)),
    (Inspect, r#"{{.Config.Entrypoint}} {{.Config.Volumes}} {{.HostConfig.MemorySwappiness}} {{.ExecIDs}}"#, Ok(r#"[] map[] <nil> []"#)),
    (Inspect, r#"{{json .Config.Entrypoint}}"#, Ok(r#"null"#)),
    (Inspect, r#"{{printf "%v|%+v|%s|%d" .HostConfig.LogConfig .HostConfig.LogConfig .Name .State.Pid}}"#, Ok(r#"{json-file map[]}|{Type:json-file Config:map[]}|/tmpl-probe|29637"#)),
    (Inspect, r#"{{.State.Pid | printf "%05d"}}"#, Ok(r#"29637"#)),
    (Inspect, r#"{{printf "%T %T %T %T" .Name .State.Pid .Args .Config.Labels}}"#, Ok(r#"string int []string map[string]string"#)),
    (Inspect, r#"{{.State.Status"#, Err(r#"template: :1: unclosed action"#)),
    (Inspect, r#"{{end}}"#, Err(r#"template: :1: unexpected {{end}}"#)),
    (Inspect, r#"{{nosuch .State}}"#, Err(r#"template: :1: function "nosuch" not defined"#)),
    (Inspect, r#"{{range .Mounts}}{{.Source}}{{end}}"#, Ok(r#"/tmp"#)),
    (Inspect, r#"{{with .State}}{{.Status}} since {{.StartedAt}}{{end}}"#, Ok(r#"running since 2026-12-02T18:34:17.572025743Z"#)),
    (Inspect, r#"{{.Name | upper | printf "%s!"}}"#, Ok(r#"/TMPL-PROBE!"#)),
    (Inspect, r#"{{if eq .State.Status "running"}}up{{else if eq .State.Status "exited"}}down{{else}}other{{end}}"#, Ok(r#"up"#)),
    (Inspect, r#"{{- .Name -}}  {{- .Path}}"#, Ok(r#"/tmpl-probesleep"#)),
    (Inspect, r#"{{len .Mounts}} {{len .Name}}"#, Ok(r#"1 11"#)),
    (Inspect, r#"{{index .Args 5}}"#, Err(r#"template: :1:2: executing "" at <index .Args 5>: error calling index: index out of range: 5"#)),
    (Inspect, r#"{{.State.Running | not}}"#, Ok(r#"false"#)),
    (Inspect, r#"{{and .State.Running .State.Pid}} {{or .State.Paused .Name}}"#, Ok(r#"29637 /tmpl-probe"#)),
    (Inspect, r#"{{range .Mounts}}{{.Destination}}{{else}}none{{end}}"#, Ok(r#"/data"#)),
    (Inspect, r#"{{range .HostConfig.Dns}}x{{else}}no dns{{end}}"#, Ok(r#"no dns"#)),
    (Inspect, r#"{{.Config.Cmd}} {{index .Config.Cmd 0}}"#, Ok(r#"[sleep 3600] sleep"#)),
    (Inspect, r#"{{.HostConfig.RestartPolicy.Name}}"#, Ok(r#"no"#)),
    (Inspect, r#"{{printf "%v" .Config.Labels}}|{{println .Config.Labels}}"#, Ok(r#"map[com.example.vendor:ACME version:1.0]|map[com.example.vendor:ACME version:1.0]
"#)),
    (Inspect, r#"{{.Config.Labels | len}}"#, Ok(r#"2"#)),
    (Inspect, r#"{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}}{{end}}"#, Ok(r#"0:/tmp"#)),
    (Inspect, r#"{{$c := .Config}}{{$c.Image}} {{$.Name}}"#, Ok(r#"busybox /tmpl-probe"#)),
    (Inspect, r#"{{with .Config.Labels}}{{.version}}{{end}}"#, Ok(r#"1.0"#)),
    (Inspect, r#"{{range .Config.Env}}{{println .}}{{end}}"#, Ok(r#"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
"#)),
    (Inspect, r#"{{json .NetworkSettings.Ports}}"#, Ok(r#"{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]}"#)),
    (Inspect, r#"{{.Config.Labels.version | eq "1.0"}}"#, Ok(r#"true"#)),
    (Inspect, r#"{{.Name.Foo}}"#, Err(r#"template: :1:7: executing "" at <.Name.Foo>: can't evaluate field Foo in type interface {}"#)),
    (Inspect, r#"{{index .Config.Labels}}"#, Ok(r#"map[com.example.vendor:ACME version:1.0]"#)),
    (Inspect, r#"{{range .Args}}<{{.}}>{{end}}"#, Ok(r#"<3600>"#)),
    (Inspect, r#"{{if not .State.Paused}}running{{end}}"#, Ok(r#"running"#)),
    (Inspect, r#"{{printf "%s" .State.Status}} {{printf "%q" .Args}}"#, Ok(r#"running ["3600"]"#)),
    (Inspect, r#"{{.Config.Hostname | truncate 4}}"#, Err(r#"template: :1:30: executing "" at <4>: expected string; found 4"#)),
    (Inspect, r#"{{truncate .Config.Hostname 4}}"#, Ok(r#"b2c4"#)),
    (Inspect, r#"{{range .Name}}x{{end}}"#, Err(r#"template: :1:8: executing "" at <.Name>: range can't iterate over /tmpl-probe"#)),
    (Inspect, r#"{{range $k, $v := .GraphDriver.Data}}{{$k}} {{end}}"#, Ok(r#"LowerDir MergedDir UpperDir WorkDir "#)),
    (Inspect, r#"{{(index .Mounts 0).RW}} {{(index .Mounts 0).Foo}}"#, Err(r#"template: :1:42: executing "" at <0>: map has no entry for key "Foo""#)),
    (Version, r#"{{.Server.Version}}"#, Ok(r#"20.10.24+dfsg1"#)),
    (Version, r#"{{.Foo}}"#, Err(r#"template: version:1:2: executing "version" at <.Foo>: can't evaluate field Foo in type system.versionInfo"#)),
    (Version, r#"{{.Client.Version}} {{.Client.Os}}/{{.Client.Arch}}"#, Ok(r#"28.2.2 linux/amd64"#)),
    (Version, r#"{{json .Server.Components}}"#, Ok(r#"[{"Name":"Engine","Version":"20.10.24+dfsg1","Details":{"ApiVersion":"1.41","Arch":"amd64","BuildTime":"Thu May  7 21:09:36 2026","Experimental":"false","GitCommit":"5d6db84","GoVersion":"go1.19.8","KernelVersion":"6.18.44-fc-v1098","MinAPIVersion":"1.12","Os":"linux"}},{"Name":"containerd","Version":"1.6.20~ds1","Details":{"GitCommit":"1.6.20~ds1-1+deb12u3"}},{"Name":"runc","Version":"1.1.5+ds1","Details":{"GitCommit":"1.1.5+ds1-1+deb12u1"}},{"Name":"docker-init","Version":"0.19.0","Details":{"GitCommit":""}}]"#)),
    (Version, r#"{{range .Server.Components}}{{.Name}}={{.Version}} {{end}}"#, Ok(r#"Engine=20.10.24+dfsg1 containerd=1.6.20~ds1 runc=1.1.5+ds1 docker-init=0.19.0 "#)),
    (Version, r#"{{split "a:b:c" ":"}}"#, Ok(r#"[a b c]"#)),
    (Version, r#"{{join (split "a:b:c" ":") "/"}}"#, Ok(r#"a/b/c"#)),
    (Version, r#"{{title "hello wORLD-foo_bar"}}"#, Ok(r#"Hello WORLD-Foo_bar"#)),
    (Version, r#"{{lower "ABC"}}{{upper "def"}}"#, Ok(r#"abcDEF"#)),
    (Version, r#"{{truncate "abcdef" 3}}|{{truncate "ab" 3}}"#, Ok(r#"abc|ab"#)),
    (Version, r#"{{pad "x" 1 2}}|{{pad "" 1 2}}|"#, Ok(r#" x  ||"#)),
    (Version, r#"{{println "a" "b"}}{{print "a" "b" 1 2 "c"}}{{print 1 2}}"#, Ok(r#"a b
ab1 2c1 2"#)),
    (Version, r#"{{printf "%d %s %v %q %5.2f %x %t" 42 "s" 1.5 "q" 3.14159 255 true}}"#, Ok(r#"42 s 1.5 "q"  3.14 ff true"#)),
    (Version, r#"{{len "héllo"}} {{len (split "a,b" ",")}}"#, Ok(r#"6 2"#)),
    (Version, r#"{{index (split "a,b" ",") 1}}"#, Ok(r#"b"#)),
    (Version, r#"{{index (split "a,b" ",") 5}}"#, Err(r#"template: version:1:2: executing "version" at <index (split "a,b" ",") 5>: error calling index: index out of range: 5"#)),
    (Version, r#"{{eq 1 1}} {{eq "a" "b" "a"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}"#, Ok(r#"true true true true true true false"#)),
    (Version, r#"{{and 1 0 "x"}} {{or 0 "" "y"}} {{not 0}} {{and 1 2}} {{or 0 ""}}"#, Ok(r#"0 y true 2 "#)),
    (Version, r#"{{1e6}} {{1.5}} {{0x10}} {{1000000.0}} {{123456.0}} {{1234567.0}} {{-0.00001}} {{3.0}}"#, Ok(r#"1e+06 1.5 16 1e+06 123456 1.234567e+06 -1e-05 3"#)),
    (Version, r#"{{$x := "a"}}{{$x = "b"}}{{$x}}"#, Ok(r#"b"#)),
    (Version, r#"{{with $v := "q"}}{{$v}}{{.}}{{end}}"#, Ok(r#"qq"#)),
    (Version, r#"{{with ""}}x{{else}}empty{{end}}"#, Ok(r#"empty"#)),
    (Version, r#"{{if and .Server (eq .Server.Os "linux")}}L{{else if 1}}1{{else}}e{{end}}"#, Ok(r#"L"#)),
    (Version, r#"{{range $i, $e := split "a,b" ","}}{{$i}}={{$e}};{{end}}"#, Ok(r#"0=a;1=b;"#)),
    (Version, r#"{{range split "" ","}}[{{.}}]{{else}}none{{end}}"#, Ok(r#"[]"#)),
    (Version, r#"  {{- "a" -}}  x  {{- "b"}}  "#, Ok(r#"axb  "#)),
    (Version, r#"{{/* comment */}}ok{{- /* c2 */ -}} k"#, Ok(r#"okk"#)),
    (Version, r#"{{eq 1 "a"}}"#, Err(r#"template: version:1:2: executing "version" at <eq 1 "a">: error calling eq: incompatible types for comparison"#)),
    (Version, r#"{{lt 1 2.5}}"#, Err(r#"template: version:1:2: executing "version" at <lt 1 2.5>: error calling lt: incompatible types for comparison"#)),
    (Version, r#"{{nil}}"#, Err(r#"template: version:1:2: executing "version" at <nil>: nil is not a command"#)),
    (Version, r#"{{"a" | printf "%s-%s" "b"}}"#, Ok(r#"b-a"#)),
    (Version, r#"{{printf "%v" (split "a,b" ",")}}"#, Ok(r#"[a b]"#)),
    (Version, r#"{{len 3}}"#, Err(r#"template: version:1:2: executing "version" at <len 3>: error calling len: len of type int"#)),
    (Version, r#"{{index "abc" 1}}"#, Ok(r#"98"#)),
    (Version, r#"{{slice "abcdef" 1 3}}"#, Ok(r#"bc"#)),
    (Version, r#"{{html "<a>"}} {{js "a'b"}} {{urlquery "a b&c"}}"#, Ok(r#"&lt;a&gt; a\'b a+b%26c"#)),
    (Version, r#"{{.Server.Version"#, Err(r#"template: version:1: unclosed action"#)),
    (Version, r#"{{end}}"#, Err(r#"template: version:1: unexpected {{end}}"#)),
    (Version, r#"{{if 1}}x"#, Err(r#"template: version:1: unexpected EOF"#)),
    (Version, r#"{{range}}{{end}}"#, Err(r#"template: version:1: missing value for range"#)),
    (Version, r#"{{nosuch 1}}"#, Err(r#"template: version:1: function "nosuch" not defined"#)),
    (Version, r#"{{.Server.Version}"#, Err(r#"template: version:1: bad character U+007D '}'"#)),
    (Version, r#"{{"abc}}"#, Err(r#"template: version:1: unterminated quoted string"#)),
    (Version, r#"{{$x}}"#, Err(r#"template: version:1: undefined variable "$x""#)),
    (Version, r#"{{else}}"#, Err(r#"template: version:1: unexpected {{else}}"#)),
    (Version, r#"{{if 1}}a{{else}}b{{else}}c{{end}}"#, Err(r#"template: version:1: expected end; found {{else}}"#)),
    (Version, r#"{{(1}}"#, Err(r#"template: version:1: unclosed left paren"#)),
    (Version, r#"{{1)}}"#, Err(r#"template: version:1: unexpected right paren"#)),
    (Version, r#"{{.Server.Version |}}"#, Ok(r#"20.10.24+dfsg1"#)),
    (Version, r#"{{| upper}}"#, Err(r#"template: version:1: unexpected "|" in command"#)),
    (Version, r#"line1
{{.Foo}}"#, Err(r#"template: version:2:2: executing "version" at <.Foo>: can't evaluate field Foo in type system.versionInfo"#)),
    (Version, r#"line1
{{.Server.Version"#, Err(r#"template: version:2: unclosed action"#)),
    (Version, r#"{{3 | 4}}"#, Err(r#"template: version:1: non executable command in pipeline stage 2"#)),
    (Version, r#"{{"a" | len | upper}}"#, Err(r#"template: version:1:14: executing "version" at <upper>: wrong type for value; expected string; got int"#)),
    (Version, r#"{{break}}"#, Err(r#"template: version:1: {{break}} outside {{range}}"#)),
    (Version, r#"{{range split "a,b,c" ","}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}"#, Ok(r#"a"#)),
    (Version, r#"{{range split "a,b,c" ","}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}"#, Ok(r#"ac"#)),
    (Version, r#"{{range 3}}{{.}}{{end}}"#, Ok(r#"012"#)),
    (Version, r#"{{ .Server.Version | printf "%s" | upper }}"#, Ok(r#"20.10.24+DFSG1"#)),
    (Version, r#"{{.Server.Version.Foo}}"#, Err(r#"template: version:1:9: executing "version" at <.Server.Version.Foo>: can't evaluate field Foo in type string"#)),
    (Version, r#"{{(index .Server.Components 0).Name}}"#, Ok(r#"Engine"#)),
    (Version, r#"{{'a'}} {{'\n'}}"#, Ok(r#"97 10"#)),
    (Version, r#"{{`raw\n`}}"#, Ok(r#"raw\n"#)),
    (Version, r#"{{-3}} {{+3}} {{1_000}} {{0b11}} {{0o17}} {{017}}"#, Ok(r#"-3 3 1000 3 15 15"#)),
    (Version, r#"{{printf "%x %X %o %b %c %U %e %g %8.3f %q %v %t" 255 255 8 5 65 65 1234.5 0.000012 3.14159 "a\"b" nil true}}"#, Ok(r#"ff FF 10 101 A U+0041 1.234500e+03 1.2e-05    3.142 "a\"b" <nil> true"#)),
    (Version, r#"{{printf "%-6s|%6s|%.2s" "ab" "cd" "xyz"}} {{printf "%d" "x"}} {{printf "%s"}} {{printf "%s" 1 2}}"#, Ok(r#"ab    |    cd|xy %!d(string=x) %!s(MISSING) %!s(int=1)%!(EXTRA int=2)"#)),
    (Version, r#"{{upper}}"#, Err(r#"template: version:1:2: executing "version" at <upper>: wrong number of args for upper: want 1 got 0"#)),
    (Version, r#"{{upper 1}}"#, Err(r#"template: version:1:8: executing "version" at <1>: expected string; found 1"#)),
    (Version, r#"{{truncate "abc" "x"}}"#, Err(r#"template: version:1:17: executing "version" at <"x">: expected integer; found "x""#)),
    (Version, r#"{{.Client.Version 1}}"#, Err(r#"template: version:1:9: executing "version" at <.Client.Version>: Version has arguments but cannot be invoked as function"#)),
    (Version, r#"{{"x" 1}}"#, Err(r#"template: version:1:2: executing "version" at <"x">: can't give argument to non-function "x""#)),
    (Version, r#"{{ .Server.Os }}{{/* unclosed"#, Err(r#"template: version:1: unclosed comment"#)),
    (Version, r#"{{$ := 1}}"#, Ok(r#""#)),
    (Version, r#"{{printf "%s %v" .Server.Os}}"#, Ok(r#"linux %!v(MISSING)"#)),
    (Version, r#"{{if}}{{end}}"#, Err(r#"template: version:1: missing value for if"#)),
    (Version, r#"{{with .Nope}}x{{end}}"#, Err(r#"template: version:1:7: executing "version" at <.Nope>: can't evaluate field Nope in type system.versionInfo"#)),
    (Version, r#"{{1.5 | printf "%.3f"}} {{printf "%6.2f|%-8.3e|%g" 3.14159 1234.5678 100000000.0}}"#, Ok(r#"1.500   3.14|1.235e+03|1e+08"#)),
    (Version, r#"{{printf "%+d % d %x %#x %08.3f" 5 5 "hi" 255 -3.14159}}"#, Ok(r#"+5  5 6869 0xff -003.142"#)),
    (Version, r#"{{index .Server.Components 9}}"#, Err(r#"template: version:1:2: executing "version" at <index .Server.Components 9>: error calling index: index out of range: 9"#)),
    (Version, r#"{{with .Server}}{{.Os}}{{else with .Client}}c{{end}}"#, Ok(r#"linux"#)),
    (Version, r#"{{"a" "b"}}"#, Err(r#"template: version:1:2: executing "version" at <"a">: can't give argument to non-function "a""#)),
    (Version, r#"{{printf "%s" (printf "%d" 1) | len}}"#, Ok(r#"1"#)),
    (Version, r#"{{range .Client.Version}}x{{end}}"#, Err(r#"template: version:1:15: executing "version" at <.Client.Version>: range can't iterate over 28.2.2"#)),
    (Version, r#"{{range $x := 2}}{{$x}}{{end}}"#, Ok(r#"01"#)),
    (Version, r#"{{- range split "a b" " " -}} [{{ . }}] {{- end }}"#, Ok(r#"[a][b]"#)),
    (Version, r#"{{if false}}a{{else if false}}b{{else if true}}c{{end}}"#, Ok(r#"c"#)),
    (Version, r#"{{with $x := .Server.Os}}{{$x}}{{end}}{{$x}}"#, Err(r#"template: version:1: undefined variable "$x""#)),
    (Version, r#"{{index 1 2}}"#, Err(r#"template: version:1:2: executing "version" at <index 1 2>: error calling index: can't index item of type int"#)),
    (Version, r#"{{slice "abc" 2 1}}"#, Err(r#"template: version:1:2: executing "version" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1"#)),
    (Version, r#"{{not}}"#, Err(r#"template: version:1:2: executing "version" at <not>: wrong number of args for not: want 1 got 0"#)),
    (Version, r#"{{and}}"#, Err(r#"template: version:1:2: executing "version" at <and>: wrong number of args for and: want at least 1 got 0"#)),
    (Version, r#"{{.Server.Os | printf "%s" | printf "%s!" | upper}}"#, Ok(r#"LINUX!"#)),
    (Ps, r#"{{.ID}}: {{.Command}}"#, Ok(r#"9779f7cd110b: "sleep 3600"
b2c46f3a9937: "sleep 3600"
"#)),
    (Ps, r#"table {{.ID}}\t{{.Labels}}"#, Ok(r#"CONTAINER ID   LABELS
9779f7cd110b   
b2c46f3a9937   com.example.vendor=ACME,version=1.0
"#)),
    (Ps, r#"table {{.ID}}\t{{(.Label "com.example.vendor")}}"#, Ok(r#"CONTAINER ID   vendor
9779f7cd110b   
b2c46f3a9937   ACME
"#)),
    (Ps, r#"table {{.Label "com.example.vendor"}}\t{{.Names}}"#, Ok(r#"vendor    NAMES
          tmpl-probe-second-container
ACME      tmpl-probe
"#)),
    (Ps, r#"{{.Foo}}"#, Err(r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext"#)),
    (Ps, r#"{{.Label}}"#, Err(r#"template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0"#)),
    (Ps, r#"{{.Label "a" "b"}}"#, Err(r#"template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 2"#)),
    (Ps, r#"{{join .Names " or "}}"#, Err(r#"template: :1:7: executing "" at <.Names>: wrong type for value; expected []string; got string"#)),
    (Ps, r#"table {{.Names}}\t{{pad .State 2 2}}|"#, Ok(r#"NAMES                           STATE  |
tmpl-probe-second-container     running  |
tmpl-probe                      running  |
"#)),
    (Ps, r#"table {{.Names | upper}}\t{{json .State}}\t{{printf "%s!" .Image}}"#, Ok(r#"NAMES                         STATE       IMAGE!
TMPL-PROBE-SECOND-CONTAINER   "running"   busybox!
TMPL-PROBE                    "running"   busybox!
"#)),
    (Ps, r#"  {{.Names}}  "#, Ok(r#"tmpl-probe-second-container
tmpl-probe
"#)),
    (Ps, r#"table{{.Names}}"#, Ok(r#"NAMES
tmpl-probe-second-container
tmpl-probe
"#)),
    (Ps, r#"{{.State.Foo}}"#, Err(r#"template: :1:8: executing "" at <.State.Foo>: can't evaluate field Foo in type string"#)),
    (Ps, r#"table {{.ID}}\t{{.Names}}\t{{.Labels}}\t{{.Label "version"}}"#, Ok(r#"CONTAINER ID   NAMES                         LABELS                                version
9779f7cd110b   tmpl-probe-second-container                                         
b2c46f3a9937   tmpl-probe                    com.example.vendor=ACME,version=1.0   1.0
"#)),
    (Ps, r#"table {{.Names}}:{{.Image}}\t{{if .Labels}}L{{end}}\n\t{{.State}}"#, Ok(r#"NAMES:IMAGE                           L
                                      STATE
tmpl-probe-second-container:busybox   
                                      running
tmpl-probe:busybox                    L
                                      running
"#)),
    (Ps, r#"{{json .Names}}\t{{.Names | printf "%-30s"}}|"#, Ok(r#""tmpl-probe-second-container"	tmpl-probe-second-container   |
"tmpl-probe"	tmpl-probe                    |
"#)),
    (Ps, r#"table {{.Names}}"#, Ok(r#"NAMES
tmpl-probe-second-container
tmpl-probe
"#)),
    (Ps, r#"{{.Names}} {{.Labels.foo}}"#, Err(r#"template: :1:20: executing "" at <.Labels.foo>: can't evaluate field foo in type string"#)),
    (Ps, r#"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}"#, Ok(r#"CONTAINER ID   IMAGE     COMMAND        PORTS                    NAMES
9779f7cd110b   busybox   "sleep 3600"                            tmpl-probe-second-container
b2c46f3a9937   busybox   "sleep 3600"   127.0.0.1:8080->80/tcp   tmpl-probe
"#)),
    (Ps, r#"table {{.Names}}\t{{split .Labels ","}}\t{{truncate .ID 4}}\t{{lower .Image}}"#, Ok(r#"NAMES                         LABELS                                  CONTAINER ID   IMAGE
tmpl-probe-second-container   []                                      9779           busybox
tmpl-probe                    [com.example.vendor=ACME version=1.0]   b2c4           busybox
"#)),
    (Ps, r#"{{.ID}}\t{{.Names}}"#, Ok(r#"9779f7cd110b	tmpl-probe-second-container
b2c46f3a9937	tmpl-probe
"#)),
    (Ps, r#"table {{.Mounts}}\t{{.Networks}}\t{{.LocalVolumes}}\t{{.Ports}}"#, Ok(r#"MOUNTS    NETWORKS   LOCAL VOLUMES   PORTS
          bridge     0               
/tmp      bridge     0               127.0.0.1:8080->80/tcp
"#)),
    (Ps, r#"table {{.ID}}\t{{if eq .Names "tmpl-probe"}}first\t{{end}}{{.Image}}"#, Ok(r#"CONTAINER ID   IMAGE
9779f7cd110b   busybox
b2c46f3a9937   first     busybox
"#)),
    (Ps, r#"table {{range split .Names "-"}}{{.}}\t{{end}}"#, Ok(r#"
tmpl      probe     second    container   
tmpl      probe     
"#)),
    (Ps, r#"table {{.Command}}\t{{.Label "no-such_label.x-y_z"}}"#, Ok(r#"COMMAND        x y z
"sleep 3600"   
"sleep 3600"   
"#)),
    (Ps, r#"{{with .Label "version"}}v{{.}}{{else}}unversioned{{end}}"#, Ok(r#"unversioned
v1.0
"#)),
    (Images, r#"{{.ID}}: {{.Repository}}"#, Ok(r#"555d2e066851: busybox
"#)),
    (Images, r#"table {{.ID}}\t{{.Repository}}\t{{.Tag}}"#, Ok(r#"IMAGE ID       REPOSITORY   TAG
555d2e066851   busybox      latest
"#)),
    (Images, r#"table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.Size}}"#, Ok(r#"REPOSITORY   TAG       DIGEST    SIZE
busybox      latest    <none>    1.98MB
"#)),
    (Images, r#"{{.Foo}}"#, Err(r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *formatter.imageContext"#)),
    (Images, r#"{{.Repository}}:{{.Tag}}"#, Ok(r#"busybox:latest
"#)),
    (Images, r#"table {{.Repository}}:{{.Tag}}\t{{.ID}}"#, Ok(r#"REPOSITORY:TAG   IMAGE ID
busybox:latest   555d2e066851
"#)),
    (Images, r#"table {{.Repository}}\t{{.CreatedAt}}"#, Ok(r#"REPOSITORY   CREATED AT
busybox      2026-12-02 18:34:12 +0000 UTC
"#)),
];

/// A health check's durations as Docker 20.10 prints them (`time.Duration`,
/// nanoseconds in the JSON), its empty fields as Go's zero values.
#[test]
fn healthcheck_durations_print_as_go_durations() {
    let container = json(r#"{"Config":{"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":5000000000}}}"#);
    let run = |source: &str| Template::parse(source).unwrap().render_json(&container, &container_shape()).unwrap();
    assert_eq!(run("{{.Config.Healthcheck}}"), "{[CMD-SHELL true] 5s 0s 0s 0}");
    assert_eq!(run("{{json .Config.Healthcheck}}"), r#"{"Test":["CMD-SHELL","true"],"Interval":5000000000}"#);
    assert_eq!(
        run(r#"{{printf "%v|%d|%s|%T" .Config.Healthcheck.Interval .Config.Healthcheck.Interval .Config.Healthcheck.Interval .Config.Healthcheck.Interval}}"#),
        "5s|5000000000|5s|time.Duration"
    );
    assert_eq!(run("{{eq .Config.Healthcheck.Interval 5000000000}} {{.Config.Healthcheck.Retries}}"), "true 0");
    for (nanos, go) in [
        (0, "0s"),
        (1_500_000, "1.5ms"),
        (500_000, "500µs"),
        (7, "7ns"),
        (2_500_000_000, "2.5s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (-30_000_000_000, "-30s"),
    ] {
        assert_eq!(gofmt::go_duration(nanos), go);
    }
}
