//! Lexical scopes of one function body, and "did you mean" suggestions.
//!
//! Each block opens a scope; each `let`, parameter and loop variable gets a
//! fresh [`LocalId`], so shadowing never reuses an id. Lookup walks scopes
//! from the innermost out, and within a scope from the latest binding back.

use strsim::osa_distance;

use super::tast::LocalId;

#[derive(Default)]
pub struct Scopes {
    /// One frame per open block, innermost last; each frame lists bindings
    /// in order, so the latest shadowing binding is found first from the end.
    frames: Vec<Vec<(String, LocalId)>>,
}

impl Scopes {
    pub fn push(&mut self) {
        self.frames.push(Vec::new());
    }

    pub fn pop(&mut self) {
        let _ = self.frames.pop();
    }

    pub fn bind(&mut self, name: &str, local: LocalId) {
        if self.frames.is_empty() {
            self.push();
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.push((name.to_string(), local));
        }
    }

    pub fn lookup(&self, name: &str) -> Option<LocalId> {
        self.frames
            .iter()
            .rev()
            .flat_map(|frame| frame.iter().rev())
            .find(|(bound, _)| bound == name)
            .map(|(_, local)| *local)
    }

    /// Every name visible here, for suggestions.
    pub fn visible_names(&self) -> impl Iterator<Item = &str> {
        self.frames
            .iter()
            .flat_map(|frame| frame.iter().map(|(name, _)| name.as_str()))
    }
}

/// The candidate closest to `name` by edit distance (a swap of two neighbours counts as one edit), if it is close enough
/// to be a plausible typo: at most one edit for short names, a third of the
/// length for longer ones. Ties go to the first candidate.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = osa_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadowing_finds_latest_binding() {
        let mut scopes = Scopes::default();
        scopes.push();
        scopes.bind("x", LocalId(0));
        scopes.push();
        scopes.bind("x", LocalId(1));
        assert_eq!(scopes.lookup("x"), Some(LocalId(1)));
        scopes.pop();
        assert_eq!(scopes.lookup("x"), Some(LocalId(0)));
        assert_eq!(scopes.lookup("y"), None);
    }

    #[test]
    fn suggestions_are_close_names_only() {
        assert_eq!(suggest("totl", ["total", "x"]), Some("total".to_string()));
        assert_eq!(suggest("q", ["total"]), None);
        assert_eq!(suggest("smu", ["sum", "exp"]), Some("sum".to_string()));
    }
}
