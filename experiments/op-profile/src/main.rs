//! op-profile MODEL.nnef.tar [RUNS] [tract]: the optimized plan's nodes with their mean time per
//! inference, and the median of whole inferences (uninstrumented). The plan is the one our
//! session runs (`fast_ops::speed_up_decluttered` and `speed_up` applied) unless the third
//! argument is `tract`; `winograd` also swaps convolutions natively. In wasm the matrix products
//! run on playground-gemm's 4×8 kernel unless GEMM=tract. Natively it
//! also prints the process's resident memory once the plan has run.
use std::time::Instant;
use tract_nnef::prelude::*;
use tract_nnef::tract_core::plan::SimpleState;

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: op-profile MODEL.nnef.tar [RUNS]");
    let runs: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(500);
    #[cfg(feature = "threads")]
    if let Some(n) = std::env::var("TRACT_THREADS").ok().and_then(|s| s.parse().ok()) {
        tract_linalg::multithread::set_default_executor(tract_linalg::multithread::Executor::multithread(n));
        println!("{n} threads");
    }
    // GEMM=tract: tract's own matrix kernel in wasm instead of playground-gemm's 4×8.
    if std::env::var("GEMM").as_deref() == Ok("tract") {
        playground_gemm::set_enabled(false);
        println!("tract's matrix kernel");
    }
    let bytes = std::fs::read(path)?;
    let model = tract_nnef::nnef().model_for_read(&mut std::io::Cursor::new(bytes))?;
    let fact = model.input_fact(0)?.clone();
    let shape: Vec<usize> = fact.shape.as_concrete().unwrap().to_vec();
    let plan_kind = args.get(3).map(String::as_str).unwrap_or("ours");
    let started = Instant::now();
    let mut decluttered = model.into_decluttered()?;
    let convolutions = match plan_kind {
        "tract" => 0,
        "winograd" => playground_fast_ops::replace_convolutions(&mut decluttered)?,
        _ => playground_fast_ops::speed_up_decluttered(&mut decluttered)?,
    };
    decluttered.optimize()?; // as the session: no second declutter
    let mut optimized = decluttered;
    let optimize_ms = started.elapsed().as_secs_f64() * 1e3;
    if plan_kind != "tract" {
        println!("{convolutions} convolutions by Winograd");
        let started = Instant::now();
        let changes = playground_fast_ops::speed_up(&mut optimized)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        println!("into_optimized {optimize_ms:.1} ms; fast_ops {changes:?} in {ms:.1} ms");
    }
    let plan = optimized.into_runnable()?;
    let n: usize = shape.iter().product();
    let input: Vec<f32> = (0..n).map(|i| ((i * 7919) % 255) as f32 / 255.0).collect();
    let make = || Tensor::from_shape(&shape, &input).unwrap().into_tvalue();
    for _ in 0..50 {
        plan.run(tvec!(make()))?;
    }
    let mut whole = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        plan.run(tvec!(make()))?;
        whole.push(t.elapsed().as_secs_f64() * 1e3);
    }
    whole.sort_by(|a, b| a.partial_cmp(b).unwrap());
    // Native only: the process's resident memory once the plan has run (what a fold costs).
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(rss) = status.lines().find(|l| l.starts_with("VmRSS:")) {
            println!("{}", rss.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    let nodes = plan.model().nodes.len();
    let mut per_node = vec![0f64; nodes];
    let mut state = SimpleState::new(&plan)?;
    for _ in 0..runs {
        state.run_plan_with_eval(tvec!(make()), |ctx, st, node, inputs| {
            let t = Instant::now();
            let r = tract_nnef::tract_core::plan::eval(ctx, st, node, inputs);
            per_node[node.id] += t.elapsed().as_secs_f64() * 1e3;
            r
        })?;
    }
    let total: f64 = per_node.iter().sum::<f64>() / runs as f64;
    println!("whole inference median {:.3} ms (p10 {:.3}), instrumented sum {:.3} ms", whole[runs / 2], whole[runs / 10], total);
    for node in &plan.model().nodes {
        let ms = per_node[node.id] / runs as f64;
        let out = plan.model().outlet_fact(node.id.into())?;
        println!("{:7.1} us {:5.1}%  #{:<3} {:<40} {:?}  {}", ms * 1e3, 100.0 * ms / total, node.id, node.name, out.shape, node.op().name());
    }
    Ok(())
}
