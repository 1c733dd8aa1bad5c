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

pub const CONTAINER_OMITTED: &[&str] = &["State.Health"];

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
