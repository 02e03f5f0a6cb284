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

/// Two points a spiral, worked out by hand: halfway through the first and the
/// second half of the spiral's length (radii 1/4 and 3/4), at 3/4 and 9/4 of
/// a half-turn (one and a half turns over the whole length); the second spiral
/// is the first turned by half a turn. Each point is off its place by the
/// noise, at most 0.02 along each axis.
#[test]
fn each_point_lies_within_the_noise_of_its_place_on_its_spiral() {
    let half_diagonal = |radius: f32| radius * std::f32::consts::FRAC_1_SQRT_2;
    let (inner, outer) = (half_diagonal(0.25), half_diagonal(0.75));
    let places = [
        [-inner, inner],
        [outer, outer],
        [inner, -inner],
        [-outer, -outer],
    ];
    let data = spirals(2);
    assert_eq!(data.labels, [0, 0, 1, 1]);
    for (point, place) in data.points.chunks(2).zip(places) {
        for (value, expected) in point.iter().zip(place) {
            assert!(
                (value - expected).abs() <= 0.02,
                "{point:?} is not within 0.02 of {place:?}"
            );
        }
    }
    // The noise is there: no point sits exactly on its place.
    assert!(
        data.points
            .chunks(2)
            .zip(places)
            .all(|(point, place)| point != place)
    );
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
