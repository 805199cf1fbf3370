//! Recursion detection on the call graph.
//!
//! Calls are inlined before smoothing, so a function may not call itself,
//! directly or through others. Every call `f -> g` where `g` can reach `f`
//! closes a cycle; one error is reported per cycle (strongly connected
//! component), at its first such call in source order.

use std::collections::{HashSet, VecDeque};

use crate::syntax::span::Span;

use super::error::SemaError;
use super::signatures::Signatures;
use super::tast::FnId;

pub struct CallGraph {
    /// Callees of each function, one entry per call site, in source order.
    calls: Vec<Vec<(FnId, Span)>>,
}

impl CallGraph {
    pub fn new(n_fns: usize) -> CallGraph {
        CallGraph {
            calls: vec![Vec::new(); n_fns],
        }
    }

    pub fn add(&mut self, caller: FnId, callee: FnId, span: Span) {
        if let Some(calls) = self.calls.get_mut(caller.0 as usize) {
            calls.push((callee, span));
        }
    }

    /// The shortest call path from `from` to `to` (both included), if any.
    fn path(&self, from: FnId, to: FnId) -> Option<Vec<FnId>> {
        let mut previous: Vec<Option<FnId>> = vec![None; self.calls.len()];
        let mut seen = vec![false; self.calls.len()];
        let mut queue = VecDeque::from([from]);
        seen[from.0 as usize] = true;
        while let Some(current) = queue.pop_front() {
            if current == to {
                let mut path = vec![to];
                let mut at = to;
                while let Some(before) = previous[at.0 as usize] {
                    path.push(before);
                    at = before;
                }
                path.reverse();
                return Some(path);
            }
            for (callee, _) in &self.calls[current.0 as usize] {
                if !seen[callee.0 as usize] {
                    seen[callee.0 as usize] = true;
                    previous[callee.0 as usize] = Some(current);
                    queue.push_back(*callee);
                }
            }
        }
        None
    }

    pub fn report_cycles(&self, signatures: &Signatures, errors: &mut Vec<SemaError>) {
        // The functions of each cycle already reported, as a sorted list.
        let mut reported: HashSet<Vec<FnId>> = HashSet::new();
        for (caller_index, calls) in self.calls.iter().enumerate() {
            let caller = FnId(caller_index as u32);
            for (callee, span) in calls {
                let Some(back) = self.path(*callee, caller) else {
                    continue;
                };
                let mut members: Vec<FnId> = back.clone();
                members.sort();
                members.dedup();
                if !reported.insert(members) {
                    continue;
                }
                let mut cycle = vec![signatures.get(caller).name.clone()];
                cycle.extend(back.iter().map(|id| signatures.get(*id).name.clone()));
                errors.push(SemaError::Recursion { span: *span, cycle });
            }
        }
    }
}
