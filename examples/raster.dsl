// entry: loss
// large-inputs: 1e150 (coverage squares distances and the radius)
// taus: 0.001 0.01
//
// Rasterising a disc: a pixel is covered when its centre lies inside the
// disc. Hard, the image is a step function of the disc's centre and
// radius; relaxed, each pixel's coverage is a sigmoid of the signed
// distance, which gives the loss against a target image a gradient.
//
// The temperature compares squared distances (pixels are 1/16 wide), so
// this example is relaxed at 0.001 and 0.01.

/// 1.0 where the centre of the pixel (row i, column j) of a 16 x 16 grid
/// over [0, 1]^2 lies inside the disc, else 0.0.
fn raster(cx: real, cy: real, radius: real) -> real[16, 16] {
    [[coverage((real(j) + 0.5) / 16.0 - cx, (real(i) + 0.5) / 16.0 - cy, radius) for j in 0..16] for i in 0..16]
}

/// Whether the offset (dx, dy) from the centre lies inside the radius.
fn coverage(dx: real, dy: real, radius: real) -> real {
    if dx * dx + dy * dy < radius * radius {
        1.0
    } else {
        0.0
    }
}

/// Squared difference between the rendered disc and `target`.
fn loss(cx: real, cy: real, radius: real, target: real[16, 16]) -> real {
    let difference = raster(cx, cy, radius) - target;
    sum(difference * difference)
}
