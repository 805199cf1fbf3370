//! Runs LALRPOP over `grammar/`, writing `$OUT_DIR/smoothc.rs`.
fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("lalrpop failed on grammar/");
}
