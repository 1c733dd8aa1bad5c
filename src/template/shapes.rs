//! The Go shapes of Docker's inspect JSON (moby's `types.ContainerJSON`,
//! `types.ImageInspect`): which objects are maps and which nulls are nil
//! slices, so `{{.Config.Labels}}` prints `map[…]`, `{{.State}}` `{…}` and
//! `{{.Config.Entrypoint}}` `[]`, as Docker's do.

pub const CONTAINER_MAPS: &[&str] = &[
    "Config.Labels",
    "Config.ExposedPorts",
    "Config.Volumes",
    "HostConfig.LogConfig.Config",
    "HostConfig.PortBindings",
    "HostConfig.Sysctls",
    "HostConfig.StorageOpt",
    "HostConfig.Tmpfs",
    "HostConfig.Annotations",
    "NetworkSettings.Ports",
    "NetworkSettings.Networks",
    "NetworkSettings.Networks.*.DriverOpts",
    "GraphDriver.Data",
];

pub const CONTAINER_SLICES: &[&str] = &[
    "Args",
    "ExecIDs",
    "Mounts",
    "Config.Cmd",
    "Config.Entrypoint",
    "Config.Env",
    "Config.OnBuild",
    "Config.Shell",
    "HostConfig.Binds",
    "HostConfig.CapAdd",
    "HostConfig.CapDrop",
    "HostConfig.Dns",
    "HostConfig.DnsOptions",
    "HostConfig.DnsSearch",
    "HostConfig.ExtraHosts",
    "HostConfig.GroupAdd",
    "HostConfig.Links",
    "HostConfig.SecurityOpt",
    "HostConfig.VolumesFrom",
    "HostConfig.Devices",
    "HostConfig.DeviceCgroupRules",
    "HostConfig.DeviceRequests",
    "HostConfig.Ulimits",
    "HostConfig.MaskedPaths",
    "HostConfig.ReadonlyPaths",
    "NetworkSettings.SecondaryIPAddresses",
    "NetworkSettings.SecondaryIPv6Addresses",
    "NetworkSettings.Networks.*.Links",
    "NetworkSettings.Networks.*.Aliases",
    "NetworkSettings.Networks.*.DNSNames",
];

pub const IMAGE_MAPS: &[&str] = &[
    "Config.Labels",
    "Config.ExposedPorts",
    "Config.Volumes",
    "ContainerConfig.Labels",
    "ContainerConfig.ExposedPorts",
    "ContainerConfig.Volumes",
    "GraphDriver.Data",
];

pub const IMAGE_SLICES: &[&str] = &[
    "RepoTags",
    "RepoDigests",
    "Config.Cmd",
    "Config.Entrypoint",
    "Config.Env",
    "Config.OnBuild",
    "Config.Shell",
    "ContainerConfig.Cmd",
    "ContainerConfig.Entrypoint",
    "ContainerConfig.Env",
    "ContainerConfig.OnBuild",
    "ContainerConfig.Shell",
    "RootFS.Layers",
];

use super::value::Zero;

/// `container.Config`'s `omitempty` fields, after the fields they follow.
macro_rules! config_omitted {
    ($p:literal) => {
        [
            (concat!($p, "ExposedPorts"), "AttachStderr", Zero::Map),
            (concat!($p, "Healthcheck"), "Cmd", Zero::Pointer),
            (concat!($p, "ArgsEscaped"), "Healthcheck", Zero::Bool),
            (concat!($p, "NetworkDisabled"), "Entrypoint", Zero::Bool),
            (concat!($p, "MacAddress"), "NetworkDisabled", Zero::String),
            (concat!($p, "StopSignal"), "Labels", Zero::String),
            (concat!($p, "StopTimeout"), "StopSignal", Zero::Pointer),
            (concat!($p, "Shell"), "StopTimeout", Zero::Slice),
            (concat!($p, "Healthcheck.Interval"), "Test", Zero::Duration),
            (concat!($p, "Healthcheck.Timeout"), "Interval", Zero::Duration),
            (concat!($p, "Healthcheck.StartPeriod"), "Timeout", Zero::Duration),
            (concat!($p, "Healthcheck.Retries"), "StartPeriod", Zero::Int),
        ]
    };
}

/// The fields of Docker 20.10's `types.ContainerJSON` its JSON leaves out
/// when empty, which templates still see (`{{json .Config.Healthcheck}}` is `null`).
pub const CONTAINER_OMITTED: &[(&str, &str, Zero)] = &{
    const CONFIG: [(&str, &str, Zero); 12] = config_omitted!("Config.");
    const OTHERS: [(&str, &str, Zero); 12] = [
        ("Node", "LogPath", Zero::Pointer),
        ("SizeRw", "GraphDriver", Zero::Pointer),
        ("SizeRootFs", "SizeRw", Zero::Pointer),
        ("State.Health", "FinishedAt", Zero::Pointer),
        ("HostConfig.StorageOpt", "SecurityOpt", Zero::Map),
        ("HostConfig.Tmpfs", "StorageOpt", Zero::Map),
        ("HostConfig.Sysctls", "ShmSize", Zero::Map),
        ("HostConfig.Runtime", "Sysctls", Zero::String),
        ("HostConfig.Mounts", "IOMaximumBandwidth", Zero::Slice),
        ("HostConfig.Init", "ReadonlyPaths", Zero::Pointer),
        ("Mounts.Name", "Type", Zero::String),
        ("Mounts.Driver", "Destination", Zero::String),
    ];
    const ALL: [(&str, &str, Zero); 24] = concat_shapes(CONFIG, OTHERS);
    ALL
};

/// The fields of Docker 20.10's `types.ImageInspect` its JSON leaves out when empty.
pub const IMAGE_OMITTED: &[(&str, &str, Zero)] = &{
    const CONFIGS: [(&str, &str, Zero); 24] = concat_shapes(config_omitted!("Config."), config_omitted!("ContainerConfig."));
    const OTHERS: [(&str, &str, Zero); 4] = [
        ("Variant", "Architecture", Zero::String),
        ("OsVersion", "Os", Zero::String),
        ("RootFS.Layers", "Type", Zero::Slice),
        ("RootFS.BaseLayer", "Layers", Zero::String),
    ];
    const ALL: [(&str, &str, Zero); 28] = concat_shapes(CONFIGS, OTHERS);
    ALL
};

const fn concat_shapes<const A: usize, const B: usize, const C: usize>(
    a: [(&'static str, &'static str, Zero); A],
    b: [(&'static str, &'static str, Zero); B],
) -> [(&'static str, &'static str, Zero); C] {
    let mut out = [("", "", Zero::Pointer); C];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < C {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// Docker's column titles for `ps --format 'table …'`.
pub const PS_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Names", "NAMES"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Ports", "PORTS"),
    ("State", "STATE"),
    ("Status", "STATUS"),
    ("Size", "SIZE"),
    ("Labels", "LABELS"),
    ("Mounts", "MOUNTS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Networks", "NETWORKS"),
    ("Platform", "PLATFORM"),
];

/// Docker's column titles for `images --format 'table …'`.
pub const IMAGE_HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
    ("Containers", "CONTAINERS"),
    ("VirtualSize", "VIRTUAL SIZE"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
];

/// Docker's column titles for `stats --format 'table …'`.
pub const STATS_HEADERS: &[(&str, &str)] = &[
    ("Container", "CONTAINER"),
    ("ID", "CONTAINER ID"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

/// Docker's column titles for `history --format 'table …'`.
pub const HISTORY_HEADERS: &[(&str, &str)] =
    &[("ID", "IMAGE"), ("CreatedSince", "CREATED"), ("CreatedAt", "CREATED AT"), ("CreatedBy", "CREATED BY"), ("Size", "SIZE"), ("Comment", "COMMENT")];

/// Docker's column titles for `system df --format 'table …'`.
pub const DF_HEADERS: &[(&str, &str)] = &[("Type", "TYPE"), ("TotalCount", "TOTAL"), ("Active", "ACTIVE"), ("Size", "SIZE"), ("Reclaimable", "RECLAIMABLE")];
