"""Loaders for real image data a user swaps in for the generated images (nothing downloads).

Both return what the image chapters use: float32 images (N, C, H, W) scaled to [0, 1]
and int64 labels (N,), so SmallConvNet and the chapter's loss work unchanged.
- MedMNIST (https://medmnist.com) ships each data set as one `.npz` with the keys
  `train_images`, `train_labels`, `val_…`, `test_…`; images are uint8 (N, H, W) or
  (N, H, W, 3), labels (N, 1). Download it yourself and pass the file path.
- An image folder is laid out `root/<class name>/<image file>`, as torchvision's
  ImageFolder expects; classes are the sub-folder names in sorted order.
"""

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _to_nchw(images):
    """uint8 (N, H, W) or (N, H, W, C) → float32 (N, C, H, W) in [0, 1]."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, :, :, None]
    if images.ndim != 4:
        raise ValueError(f"이미지 배열은 (N, H, W) 또는 (N, H, W, C) 모양이어야 합니다: {images.shape}")
    return (images.astype(np.float32) / 255.0).transpose(0, 3, 1, 2).copy()


def load_medmnist_npz(path, split="train"):
    """(images, labels) of one split ("train", "val" or "test") of a MedMNIST .npz file."""
    with np.load(path) as data:
        keys = (f"{split}_images", f"{split}_labels")
        missing = [k for k in keys if k not in data.files]
        if missing:
            raise ValueError(f"{path}에 {missing} 키가 없습니다. MedMNIST .npz의 키: {sorted(data.files)}")
        images, labels = data[keys[0]], data[keys[1]]
    if labels.ndim == 2 and labels.shape[1] > 1:
        raise ValueError(f"다중 레이블(multi-label) 데이터는 지원하지 않습니다: 레이블 모양 {labels.shape}")
    labels = labels.reshape(-1).astype(np.int64)
    if len(labels) != len(images):
        raise ValueError(f"이미지 {len(images)}개와 레이블 {len(labels)}개의 수가 다릅니다")
    return _to_nchw(images), labels


def load_image_folder(root, size=None, mode="RGB"):
    """(images, labels, class_names) from root/<class>/<file>; resize to size × size if given.

    mode is a PIL mode: "RGB" (3 channels) or "L" (grey, 1 channel). Without `size`
    every image must already have the same height and width.
    """
    root = Path(root)
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise ValueError(f"{root}에 클래스 폴더가 없습니다 (root/<클래스 이름>/<이미지> 구조여야 합니다)")
    images, labels = [], []
    for label, class_dir in enumerate(class_dirs):
        for file in sorted(class_dir.iterdir()):
            if file.name.startswith(".") or file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                with Image.open(file) as im:
                    im = im.convert(mode)
                    if size is not None:
                        im = im.resize((size, size), Image.Resampling.BILINEAR)
                    images.append(np.asarray(im))
            except (UnidentifiedImageError, OSError) as err:
                raise ValueError(f"이미지를 읽을 수 없습니다: {file} ({err})") from err
            labels.append(label)
    if not images:
        raise ValueError(f"{root}의 클래스 폴더에 이미지 파일이 없습니다")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ValueError(f"이미지 크기가 서로 다릅니다 {sorted(shapes)}: size=를 주어 크기를 맞추세요")
    return _to_nchw(np.stack(images)), np.array(labels, dtype=np.int64), tuple(p.name for p in class_dirs)
