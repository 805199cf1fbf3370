//! Restores the segment invariant (see the crate's `ir` module doc) after a
//! pass inserted control flow in the middle of a segment.
//!
//! A pass that relaxes one instruction into a loop (a soft index becomes a
//! sum over the indexed axis) splits the segment it sits in: values defined
//! before the loop and used after it now cross control flow. Rather than
//! make every such rewrite spill by hand, the pass emits freely and calls
//! [`repair`], which *spills* each value used outside its segment: the value
//! is written to a fresh temporary right after its definition and read back
//! right before each use that needs it. Values already used only in their
//! own segment are left alone, so an IR that satisfies the invariant comes
//! out unchanged.
//!
//! It touches nothing but instruction lists, operands and new temporaries.

use super::{BlockId, Func, Inst, InstId, VarId, VarRole, VarType};
use cranelift_entity::SecondaryMap;
use std::collections::HashMap;

/// Spills every value used outside the segment that defines it.
pub fn repair(func: &mut Func) {
    let mut scan = SegmentScan::default();
    scan.block(func, func.entry);
    if scan.crossing.is_empty() {
        return;
    }
    let mut spills: HashMap<InstId, VarId> = HashMap::new();
    for (_, value) in &scan.crossing {
        if spills.contains_key(value) {
            continue;
        }
        let ty = func.types[*value].expect("used values have a type");
        let var = func.new_var("spill", VarType::Scalar(ty), VarRole::Temp);
        let _ = spills.insert(*value, var);
    }
    let mut crossing_by_user: HashMap<InstId, Vec<InstId>> = HashMap::new();
    for (user, value) in scan.crossing {
        let values = crossing_by_user.entry(user).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    let blocks: Vec<BlockId> = func.blocks.keys().collect();
    for block in blocks {
        rebuild_block(func, block, &crossing_by_user, &spills);
    }
}

/// Where each value is defined, and the (use, value) pairs that cross a
/// segment boundary.
#[derive(Default)]
struct SegmentScan {
    defined_in: SecondaryMap<InstId, Option<(BlockId, usize)>>,
    crossing: Vec<(InstId, InstId)>,
}

impl SegmentScan {
    fn block(&mut self, func: &Func, block: BlockId) {
        let mut segment = 0;
        for &inst in &func.blocks[block].insts {
            for operand in func.insts[inst].operands() {
                if self.defined_in[operand] != Some((block, segment)) {
                    self.crossing.push((inst, operand));
                }
            }
            match &func.insts[inst] {
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.block(func, *then_block);
                    self.block(func, *else_block);
                    segment += 1;
                }
                Inst::For { body, .. } | Inst::Loop { body, .. } => {
                    self.block(func, *body);
                    segment += 1;
                }
                _ => self.defined_in[inst] = Some((block, segment)),
            }
        }
    }
}

/// Rewrites one block's instruction list: a write to the spill after each
/// spilled definition, a read of it before each crossing use.
fn rebuild_block(
    func: &mut Func,
    block: BlockId,
    crossing: &HashMap<InstId, Vec<InstId>>,
    spills: &HashMap<InstId, VarId>,
) {
    let old_insts = std::mem::take(&mut func.blocks[block].insts);
    let mut new_insts = Vec::with_capacity(old_insts.len());
    for inst in old_insts {
        let origin = func.origins[inst].derived();
        let site = func.site_attrs[inst];
        let mut replacements: Vec<(InstId, InstId)> = Vec::new();
        for value in crossing.get(&inst).into_iter().flatten() {
            let read = func.insts.push(Inst::Read(spills[value]));
            func.types[read] = func.types[*value];
            func.origins[read] = origin;
            func.site_attrs[read] = site;
            new_insts.push(read);
            replacements.push((*value, read));
        }
        if !replacements.is_empty() {
            let rewritten = func.insts[inst].map_operands(|operand| {
                replacements
                    .iter()
                    .find(|(old, _)| *old == operand)
                    .map_or(operand, |(_, read)| *read)
            });
            func.insts[inst] = rewritten;
        }
        new_insts.push(inst);
        if let Some(var) = spills.get(&inst) {
            let write = func.insts.push(Inst::Write {
                var: *var,
                value: inst,
            });
            func.types[write] = None;
            func.origins[write] = origin;
            func.site_attrs[write] = site;
            new_insts.push(write);
        }
    }
    func.blocks[block].insts = new_insts;
}
