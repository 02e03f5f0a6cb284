//! The data set and the training loop through the library, on burn's CPU
//! backend: the spirals are what they claim to be, and training is reproducible
//! and makes progress.

use burn::tensor::Device;
use ch25_training_an_mlp::{Training, spirals, train};

#[test]
fn the_spirals_are_balanced_inside_the_unit_disc_and_point_symmetric() {
    let data = spirals(100);
    assert_eq!(data.labels.len(), 200);
    assert_eq!(data.points.len(), 400);
    assert_eq!(data.labels.iter().filter(|label| **label == 1).count(), 100);
    for point in data.points.chunks(2) {
        assert!(point[0].hypot(point[1]) < 1.05, "{point:?}");
    }
    // The second spiral is the first turned by half a circle, up to the noise
    // (±0.02).
    for i in 0..100 {
        let (first, second) =
            (&data.points[2 * i..][..2], &data.points[200 + 2 * i..][..2]);
        assert!((first[0] + second[0]).abs() < 0.041, "{first:?} {second:?}");
        assert!((first[1] + second[1]).abs() < 0.041, "{first:?} {second:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_run_and_the_loss_falls() {
    let data = spirals(50);
    let setup = Training {
        steps: 60,
        width: 16,
        learning_rate: 0.01,
        seed: 7,
    };
    let first = train(&data, setup, &Device::flex()).expect("trains");
    let second = train(&data, setup, &Device::flex()).expect("trains");
    assert_eq!(first.losses, second.losses);
    assert_eq!(first.losses.len(), 60);
    assert!(first.losses.iter().all(|loss| loss.is_finite()));
    assert!(first.losses[59] < first.losses[0], "{:?}", first.losses);
}
