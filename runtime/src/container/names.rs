//! Generated container names in Docker's `adjective_surname` style,
//! surnames of scientists and engineers.

use rand::seq::SliceRandom;

const ADJECTIVES: &[&str] = &[
    "admiring", "affectionate", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "brave",
    "charming", "clever", "compassionate", "competent", "confident", "cool", "dazzling", "determined",
    "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "epic", "festive", "focused", "friendly",
    "frosty", "gallant", "gifted", "goofy", "gracious", "happy", "hopeful", "hungry", "inspiring",
    "intelligent", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
    "musing", "nervous", "nice", "nifty", "nostalgic", "optimistic", "peaceful", "pensive", "practical",
    "priceless", "quirky", "quizzical", "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly",
    "sleepy", "stoic", "strange", "sweet", "tender", "thirsty", "trusting", "upbeat", "vibrant", "vigilant",
    "vigorous", "wizardly", "wonderful", "youthful", "zealous", "zen",
];

const SURNAMES: &[&str] = &[
    "agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bassi", "bell",
    "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta", "burnell", "carson", "cerf",
    "chandrasekhar", "curie", "darwin", "dijkstra", "einstein", "elion", "engelbart", "euclid", "euler",
    "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton",
    "hawking", "heisenberg", "hodgkin", "hopper", "hypatia", "jackson", "johnson", "kalam", "kepler",
    "khorana", "knuth", "lamarr", "lamport", "leakey", "lovelace", "lumiere", "mayer", "mccarthy",
    "meitner", "mendel", "mirzakhani", "morse", "newton", "nobel", "noether", "pascal", "pasteur",
    "payne", "perlman", "pike", "poincare", "raman", "ramanujan", "ride", "ritchie", "sammet", "shannon",
    "shockley", "sinoussi", "swanson", "tesla", "thompson", "torvalds", "turing", "volhard", "wescoff",
    "wilson", "wing", "wozniak", "wu", "yalow", "yonath",
];

pub fn generate() -> String {
    let mut rng = rand::thread_rng();
    let adjective = ADJECTIVES.choose(&mut rng).copied().unwrap_or("happy");
    let surname = SURNAMES.choose(&mut rng).copied().unwrap_or("turing");
    format!("{adjective}_{surname}")
}

/// Docker's rule for user-given names.
pub fn is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}
