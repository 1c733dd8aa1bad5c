//! Amazon ECR: its API through the AWS SDK ([`api`]), its registry hosts,
//! and the local lab that stands in for AWS on this machine ([`lab`], with
//! its front process in `front`).

pub mod api;
mod front;
pub mod lab;

/// `<account>.dkr.ecr.<region>.amazonaws.com` → (account, region).
pub fn registry_host(domain: &str) -> Option<(&str, &str)> {
    let rest = domain.strip_suffix(".amazonaws.com")?;
    let (account, region) = rest.split_once(".dkr.ecr.")?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !region.is_empty() && !region.contains('.');
    valid.then_some((account, region))
}

/// Runs the lab's front when this process was started as it.
pub fn main_if_helper() -> Option<i32> {
    let mut args = std::env::args().skip(1);
    (args.next()? == front::FRONT_ARG).then(|| front::main(&args.collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::registry_host;

    #[test]
    fn ecr_hosts_are_recognised() {
        assert_eq!(registry_host("491722570113.dkr.ecr.us-east-1.amazonaws.com"), Some(("491722570113", "us-east-1")));
        assert_eq!(registry_host("localhost:5000"), None);
        assert_eq!(registry_host("xxxxxx.dkr.ecr.eu-west-2.amazonaws.com"), None);
    }
}
