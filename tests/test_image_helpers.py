"""Shared helpers of the image chapters: the diagnostic-image generator, the small CNN and
its training loop, and the loaders for real image files."""

import numpy as np
import pytest
import torch
from PIL import Image

from lossbook.convnet import SmallConvNet, predict_logits, train_classifier, train_model
from lossbook.datasets import make_diagnostic_images
from lossbook.datasets.image_files import load_image_folder, load_medmnist_npz


def test_diagnostic_images_have_the_requested_class_counts_and_shape():
    data = make_diagnostic_images(counts=(50, 5, 2), size=20, seed=0)
    assert data.images.shape == (57, 1, 20, 20) and data.images.dtype == np.float32
    assert np.bincount(data.labels).tolist() == [50, 5, 2]
    assert data.class_names == ("정상", "결절", "섬유화")
    assert np.all(data.contrast[data.labels == 0] == 0) and np.all(data.contrast[data.labels > 0] > 0)


@pytest.mark.parametrize("counts", [(10,), (1, 0), [1] * 6])
def test_diagnostic_images_reject_bad_class_counts(counts):
    with pytest.raises(ValueError):
        make_diagnostic_images(counts=counts)


def test_diagnostic_classes_differ_by_structure_not_by_mean_brightness_alone():
    # Lesions add light, so mean brightness alone carries some signal (chance is 0.2),
    # but a small CNN that sees the shapes must do far better.
    train, test = make_diagnostic_images(120, seed=0), make_diagnostic_images(60, seed=1)
    means = train.images.mean(axis=(1, 2, 3))
    centroids = np.array([means[train.labels == c].mean() for c in range(5)])
    by_brightness = np.abs(test.images.mean(axis=(1, 2, 3))[:, None] - centroids).argmin(1)
    model = SmallConvNet(1, 5, seed=0)
    train_classifier(model, train.images, train.labels, torch.nn.functional.cross_entropy, epochs=20, seed=0)
    by_cnn = predict_logits(model, test.images).argmax(1)
    brightness_acc, cnn_acc = np.mean(by_brightness == test.labels), np.mean(by_cnn == test.labels)
    assert brightness_acc < 0.55 and cnn_acc > brightness_acc + 0.2, (brightness_acc, cnn_acc)


def test_training_is_reproducible_and_leaves_the_global_random_state_alone():
    data = make_diagnostic_images(20, size=16, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(123)
        model = SmallConvNet(1, 5, width=4, seed=7)
        losses = train_classifier(model, data.images, data.labels, torch.nn.functional.cross_entropy,
                                  epochs=2, batch_size=32, seed=3)
        runs.append((losses, predict_logits(model, data.images), torch.rand(1).item()))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    torch.manual_seed(123)
    assert runs[0][2] == torch.rand(1).item(), "SmallConvNet/train_model consumed the global torch RNG"
    assert len(runs[0][0]) == 2 * int(np.ceil(100 / 32))


def test_train_model_passes_every_array_to_the_batch_loss_and_checks_lengths():
    x, y, w = np.zeros((10, 1, 12, 12), np.float32), np.arange(10) % 5, np.ones(10)
    seen = []

    def batch_loss(model, xb, yb, wb):
        seen.append((xb.dtype, yb.dtype, wb.dtype, len(xb)))
        return (model(xb).sum() * 0 + wb.sum()).float()

    train_model(SmallConvNet(1, 5, width=2), (x, y, w), batch_loss, epochs=1, batch_size=4)
    assert seen == [(torch.float32, torch.int64, torch.float32, n) for n in (4, 4, 2)]
    with pytest.raises(ValueError):
        train_model(SmallConvNet(1, 5, width=2), (x, y[:9]), lambda m, a, b: m(a).sum())


def test_medmnist_npz_loads_grey_and_colour_splits(tmp_path):
    rng = np.random.default_rng(0)
    grey, colour = rng.integers(0, 256, (6, 28, 28), np.uint8), rng.integers(0, 256, (4, 28, 28, 3), np.uint8)
    np.savez(tmp_path / "grey.npz", train_images=grey, train_labels=np.arange(6).reshape(6, 1) % 3)
    np.savez(tmp_path / "colour.npz", test_images=colour, test_labels=np.array([[1], [0], [1], [0]]))
    images, labels = load_medmnist_npz(tmp_path / "grey.npz", "train")
    assert images.shape == (6, 1, 28, 28) and images.dtype == np.float32
    assert np.allclose(images[:, 0], grey / 255.0, atol=1e-7) and labels.tolist() == [0, 1, 2, 0, 1, 2]
    images, labels = load_medmnist_npz(tmp_path / "colour.npz", "test")
    assert images.shape == (4, 3, 28, 28) and np.allclose(images[2].transpose(1, 2, 0), colour[2] / 255.0, atol=1e-7)
    with pytest.raises(ValueError, match="val_images"):
        load_medmnist_npz(tmp_path / "colour.npz", "val")


def test_image_folder_loads_classes_in_sorted_order(tmp_path):
    rng = np.random.default_rng(0)
    pixels = {}
    for name in ("피자", "김밥"):
        (tmp_path / name).mkdir()
        for i in range(2):
            pixels[name, i] = rng.integers(0, 256, (8, 8, 3), np.uint8)
            Image.fromarray(pixels[name, i]).save(tmp_path / name / f"{i}.png")
    (tmp_path / "김밥" / "notes.txt").write_text("not an image")
    images, labels, classes = load_image_folder(tmp_path)
    assert classes == ("김밥", "피자") and labels.tolist() == [0, 0, 1, 1]
    assert np.allclose(images[3].transpose(1, 2, 0), pixels["피자", 1] / 255.0, atol=1e-7)
    assert load_image_folder(tmp_path, size=4, mode="L")[0].shape == (4, 1, 4, 4)
    Image.fromarray(rng.integers(0, 256, (5, 5, 3), np.uint8)).save(tmp_path / "피자" / "small.png")
    with pytest.raises(ValueError, match="size="):
        load_image_folder(tmp_path)
    (tmp_path / "피자" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        load_image_folder(tmp_path, size=4)
