// entry: loss
// large-inputs: no
//
// A ball under gravity bouncing off the floor, simulated for a number of
// time steps. Relaxed, each bounce decision is soft, so the final height
// depends smoothly on the initial state and on the restitution.
//
// The temperature is a height. Relaxed, the bounce fires a little at every
// step the ball spends near the floor, which damps it: at 0.1 m and above
// the relaxed ball comes to rest, a smooth function of its start. At much
// smaller temperatures the relaxed dynamics near the floor become stiff
// and chaotic (finite differences of it stop converging), which is a
// property of relaxing each time step, not of the gradient.

/// Height of the ball after `steps` steps of 10 ms, starting at height
/// `h0` with vertical speed `v0`; at each bounce the speed is reversed and
/// scaled by `restitution`.
fn final_height(h0: real, v0: real, restitution: real, steps: int) -> real {
    let dt = 0.01;
    let g = 9.81;
    let mut h = h0;
    let mut v = v0;
    for t in 0..steps {
        v -= g * dt;
        h += v * dt;
        if h < 0.0 {
            h = -h * restitution;
            v = -v * restitution;
        }
    }
    h
}

/// Squared distance of the final height from `target`.
fn loss(h0: real, v0: real, restitution: real, steps: int, target: real) -> real {
    let miss = final_height(h0, v0, restitution, steps) - target;
    miss * miss
}
