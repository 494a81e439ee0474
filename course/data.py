"""The USPS handwritten digits: 16x16 grey images, 256 features in [-1, 1], labels 0-9.

    >>> from course.data import load_usps
    >>> usps = load_usps()
    >>> usps.X_train.shape, usps.X_test.shape, usps.source
    ((7291, 256), (2007, 256), 'USPS from ... (zip.train.gz, zip.test.gz)')

Where the data comes from, in this order:

1. an explicit ``path`` (a folder holding the files);
2. the folder named by the ``USPS_DIR`` environment variable;
3. the course's own data folder, ``data/usps`` at the top of the course repository;
4. a per-user cache (``$XDG_CACHE_HOME/backprop-course/usps``, by default ``~/.cache/...``);
5. a download into that cache: the ESL datasets page (``zip.train.gz`` / ``zip.test.gz``),
   then LIBSVM's ``usps.bz2`` / ``usps.t.bz2``.

A folder counts when it holds either pair of files (the ESL pair first; when that is unusable, the
LIBSVM pair in the same folder is tried, with a warning). Every candidate is verified by its content
(shape, value range, the canonical class counts) before it is used; a download is verified before
it is written, and written atomically, so a failed download leaves no half file behind.

If every step fails (say, a fresh machine with no internet), ``load_usps`` falls back to
scikit-learn's bundled 8x8 digits, resampled to 16x16, and says so loudly. The returned
``Digits.source`` always names where the data came from.
"""
from __future__ import annotations

import bz2
import gzip
import http.client
import io
import os
import sys
import tempfile
import urllib.request
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SIDE = 16
N_FEATURES = SIDE * SIDE
N_CLASSES = 10
TRAIN_COUNTS = (1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644)
TEST_COUNTS = (359, 264, 198, 166, 200, 160, 170, 147, 166, 177)

ESL_FILES = ("zip.train.gz", "zip.test.gz")
LIBSVM_FILES = ("usps.bz2", "usps.t.bz2")

#: Download sources, tried in order: (name, format, train URL, test URL).
DOWNLOAD_SOURCES = (
    ("ESL", "esl",
     "https://hastie.su.domains/ElemStatLearn/datasets/zip.train.gz",
     "https://hastie.su.domains/ElemStatLearn/datasets/zip.test.gz"),
    ("LIBSVM", "libsvm",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.bz2",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.t.bz2"),
)

COURSE_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "usps"
FALLBACK_SOURCE = "scikit-learn 8x8 digits resampled to 16x16 (NOT USPS)"


class USPSDataError(ValueError):
    """A USPS file is missing, unreadable or does not hold what USPS holds."""


@dataclass
class Digits:
    """A train/test split of 16x16 digit images, one image per row."""

    X_train: np.ndarray  # (m_train, 256) floats in [-1, 1], row-major 16x16
    y_train: np.ndarray  # (m_train,) integer labels 0-9
    X_test: np.ndarray
    y_test: np.ndarray
    source: str  # where the data came from, to show in notebooks
    is_usps: bool = True

    def __repr__(self):
        return (f"Digits({self.X_train.shape[0]} train + {self.X_test.shape[0]} test images, "
                f"{self.X_train.shape[1]} features, source: {self.source})")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec says to ignore relative paths
        base = Path.home() / ".cache"
    return Path(base) / "backprop-course" / "usps"


# ------------------------------------------------------------------------------------ parsing
def parse_esl(raw: bytes, name: str = "ESL file"):
    """Parse the ESL text format: a label (as a float) then 256 values per line."""
    try:
        text = raw.decode("ascii")
        rows = [line.split() for line in text.splitlines() if line.strip()]
        if not rows:
            raise USPSDataError(f"{name}: holds no images")
        widths = {len(r) for r in rows}
        if len(widths) != 1 or widths != {N_FEATURES + 1}:
            bad = next(i for i, r in enumerate(rows) if len(r) != N_FEATURES + 1)
            raise USPSDataError(f"{name}: line {bad + 1} has {len(rows[bad])} fields; "
                                f"expected {N_FEATURES + 1} (a label and {N_FEATURES} pixels)")
        data = np.array(rows, dtype=float)
    except (UnicodeDecodeError, ValueError) as err:
        if isinstance(err, USPSDataError):
            raise
        raise USPSDataError(f"{name}: not the ESL USPS text format ({err})") from None
    return data[:, 1:], _labels(data[:, 0], name)


def parse_libsvm(raw: bytes, name: str = "LIBSVM file"):
    """Parse LIBSVM's svmlight format: labels 1-10 stand for digits 0-9; features 1-256.

    Features left out of a line are 0. LIBSVM's rendition is scaled differently from ESL's, so the
    pixel values are mapped linearly onto [-1, 1] (their smallest value to -1, their largest to +1);
    a file already spanning exactly [-1, 1] is left as it is.
    """
    labels, X = [], []
    try:
        for lineno, line in enumerate(raw.decode("ascii").splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            row = np.zeros(N_FEATURES)
            for item in fields[1:]:
                idx, val = item.split(":")
                j = int(idx)
                if not 1 <= j <= N_FEATURES:
                    raise USPSDataError(f"{name}: line {lineno} has feature index {j}, "
                                        f"outside 1..{N_FEATURES}")
                row[j - 1] = float(val)
            labels.append(float(fields[0]) - 1)
            X.append(row)
    except (UnicodeDecodeError, ValueError) as err:
        if isinstance(err, USPSDataError):
            raise
        raise USPSDataError(f"{name}: not the svmlight format ({err})") from None
    if not X:
        raise USPSDataError(f"{name}: holds no images")
    X = np.array(X)
    if not np.all(np.isfinite(X)):
        raise USPSDataError(f"{name}: pixel values are not all finite")
    lo, hi = X.min(), X.max()
    if (lo, hi) != (-1.0, 1.0):  # another scaling of the same images: map it onto [-1, 1]
        if not hi > lo:
            raise USPSDataError(f"{name}: every pixel value is {lo:g}; these are not images")
        X = np.clip(-1 + 2 * (X - lo) / (hi - lo), -1.0, 1.0)  # clip: no rounding past the ends
    return X, _labels(np.array(labels), name)


def _labels(values, name):
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise USPSDataError(f"{name}: labels are not whole numbers")
    return values.astype(int)


def decompress(raw: bytes, filename: str, name: str | None = None) -> bytes:
    """Decompress raw by filename's extension (.gz, .bz2; anything else is returned as is)."""
    name = filename if name is None else name
    try:
        if filename.endswith(".gz"):
            return gzip.decompress(raw)
        if filename.endswith(".bz2"):
            return bz2.decompress(raw)
    except (OSError, EOFError, ValueError, zlib.error) as err:  # a bad deflate stream: zlib.error
        raise USPSDataError(f"{name}: corrupted or truncated archive ({err})") from None
    return raw


def parse_file(raw: bytes, filename: str, name: str | None = None):
    """Decompress and parse one data file, choosing the format by its name.

    name, used in error messages, defaults to filename (a download passes its URL).
    """
    name = filename if name is None else name
    text = decompress(raw, filename, name)
    if Path(filename).name.startswith("usps"):
        return parse_libsvm(text, name)
    return parse_esl(text, name)


def verify(X, y, split: str, name: str):
    """Check that (X, y) is the USPS `split` ("train" or "test"); raise USPSDataError if not."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    counts = TRAIN_COUNTS if split == "train" else TEST_COUNTS
    expected = (sum(counts), N_FEATURES)
    X, y = np.asarray(X), np.asarray(y)
    if X.shape != expected:
        got = (f"{X.shape[0]} images of {X.shape[1]} values" if X.ndim == 2
               else f"an array of shape {X.shape}")
        raise USPSDataError(f"{name}: {got}; USPS {split} has {expected[0]} images of "
                            f"{expected[1]} values")
    if y.shape != (expected[0],):
        raise USPSDataError(f"{name}: {y.size} labels for {expected[0]} images")
    if not np.all(np.isfinite(X)) or X.min() < -1 - 1e-9 or X.max() > 1 + 1e-9:
        raise USPSDataError(f"{name}: pixel values outside [-1, 1] (or not finite)")
    if y.min() < 0 or y.max() >= N_CLASSES:
        raise USPSDataError(f"{name}: labels outside 0..9")
    got = tuple(int(c) for c in np.bincount(y, minlength=N_CLASSES))
    if got != counts:
        raise USPSDataError(f"{name}: class counts {got} differ from USPS {split} {counts}")


# ----------------------------------------------------------------------------------- folders
def _pairs_in(folder: Path):
    """The file pairs present in folder, ESL first."""
    return [pair for pair in (ESL_FILES, LIBSVM_FILES)
            if all((folder / f).is_file() for f in pair)]


def _load_pair(folder: Path, pair) -> Digits:
    splits = []
    for split, fname in zip(("train", "test"), pair):
        path = folder / fname
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise USPSDataError(f"{path}: cannot be read ({err})") from None
        X, y = parse_file(raw, str(path))
        verify(X, y, split, str(path))
        splits += [X, y]
    return Digits(*splits, source=f"USPS from {folder} ({pair[0]}, {pair[1]})")


def load_folder(folder) -> Digits:
    """Load and verify USPS from a folder holding zip.train.gz/zip.test.gz or usps.bz2/usps.t.bz2.

    When both pairs are there and the ESL pair is unusable, the LIBSVM pair is used, with a warning.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise USPSDataError(f"{folder}: {what}")
    pairs = _pairs_in(folder)
    if not pairs:
        raise USPSDataError(f"{folder}: holds neither {' + '.join(ESL_FILES)} "
                            f"nor {' + '.join(LIBSVM_FILES)}")
    errors = []
    for pair in pairs:
        try:
            digits = _load_pair(folder, pair)
        except USPSDataError as err:
            errors.append(err)
            continue
        if errors:
            warnings.warn(f"{folder}: {' + '.join(pairs[0])} unusable, using {' + '.join(pair)} "
                          f"instead: {errors[0]}", stacklevel=2)
        return digits
    if len(errors) == 1:
        raise errors[0]
    raise USPSDataError(f"{folder}: no usable pair of files:\n  " + "\n  ".join(map(str, errors)))


# --------------------------------------------------------------------------------- downloading
def _fetch(url: str, show_progress: bool, timeout: float) -> bytes:
    """The bytes at url; USPSDataError on any failure, including a transfer cut short."""
    buf, total = io.BytesIO(), 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            while True:
                chunk = resp.read(64 * 1024)
                if not chunk:
                    break
                buf.write(chunk)
                if show_progress:
                    _progress(url.rsplit("/", 1)[-1], buf.tell(), total)
    # HTTPError, URLError and timeouts are OSErrors; a cut chunked transfer raises IncompleteRead
    # (an HTTPException); a malformed URL or Content-Length raises ValueError.
    except (OSError, http.client.HTTPException, ValueError) as err:
        raise USPSDataError(f"{url}: {str(err) or type(err).__name__}") from None
    finally:
        if show_progress and buf.tell():
            sys.stdout.write("\n")
    if total and buf.tell() != total:
        raise USPSDataError(f"{url}: download stopped at {buf.tell()} of {total} bytes")
    return buf.getvalue()


def _progress(name, done, total, width=30):
    if total:
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        sys.stdout.write(f"\r  {name:<14} [{bar}] {done / 1e6:5.2f} / {total / 1e6:.2f} MB")
    else:
        sys.stdout.write(f"\r  {name:<14} {done / 1e6:5.2f} MB")
    sys.stdout.flush()


def _write_atomically(dest: Path, blobs: dict):
    """Write {file name: bytes} into dest, each through a temporary file renamed into place
    once every file is fully written; no temporary file survives a failure."""
    dest.mkdir(parents=True, exist_ok=True)
    temps = []
    try:
        for fname, raw in blobs.items():
            fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{fname}.", suffix=".part")
            temps.append((tmp, dest / fname))
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)


def download(dest=None, sources=DOWNLOAD_SOURCES, show_progress=True, timeout=30.0) -> Digits:
    """Download USPS into dest (the cache by default), trying each source in turn.

    Both files of a source are downloaded and verified before either is written, and they are
    written atomically: a failure leaves dest as it was. Returns the verified data. Raises
    USPSDataError listing every source's failure when none works.
    """
    dest = Path(dest).expanduser() if dest is not None else cache_dir()
    failures = []
    for name, fmt, train_url, test_url in sources:
        files = {"esl": ESL_FILES, "libsvm": LIBSVM_FILES}[fmt]
        try:
            if show_progress:
                sys.stdout.write(f"Downloading USPS from {name}\n")
            blobs, arrays = {}, []
            for split, url, fname in (("train", train_url, files[0]), ("test", test_url, files[1])):
                raw = _fetch(url, show_progress, timeout)
                X, y = parse_file(raw, fname, name=url)
                verify(X, y, split, url)
                blobs[fname] = raw
                arrays += [X, y]
            _write_atomically(dest, blobs)
        except (OSError, USPSDataError) as err:  # OSError: dest cannot be written
            failures.append(f"{name}: {err}")
            continue
        # The verified arrays themselves: reading dest back could pick up other, stale files there.
        return Digits(*arrays, source=f"USPS downloaded from {name} ({train_url}, {test_url}) "
                                      f"into {dest}")
    raise USPSDataError("could not download USPS:\n  " + "\n  ".join(failures))


# ----------------------------------------------------------------------------------- fallback
def sklearn_digits_16x16(seed=0, test_fraction=0.2) -> Digits:
    """scikit-learn's 1,797 bundled 8x8 digits, resampled to 16x16 and scaled to [-1, 1]."""
    from sklearn.datasets import load_digits

    d = load_digits()
    imgs = d.images / 16.0  # (1797, 8, 8) in [0, 1]
    # Bilinear resampling 8 -> 16 (pixel centres aligned), via two 1-D interpolation matrices.
    src = (np.arange(SIDE) + 0.5) / 2 - 0.5
    lo = np.clip(np.floor(src).astype(int), 0, 7)
    hi = np.clip(lo + 1, 0, 7)
    frac = np.clip(src - lo, 0, 1)
    M = np.zeros((SIDE, 8))
    M[np.arange(SIDE), lo] += 1 - frac
    M[np.arange(SIDE), hi] += frac
    big = np.einsum("ia,nab,jb->nij", M, imgs, M)
    X = (2 * big - 1).reshape(len(imgs), -1)  # USPS ink is +1 on a -1 background
    y = d.target.astype(int)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return Digits(X[train], y[train], X[test], y[test], source=FALLBACK_SOURCE, is_usps=False)


# ------------------------------------------------------------------------------------- entry
def load_usps(path=None, *, download_if_missing=True, sources=DOWNLOAD_SOURCES,
              allow_fallback=True, verbose=True) -> Digits:
    """Load USPS (see the module docstring for where it looks). Returns a Digits.

    path: a folder holding the files; when given it must work (no silent fallback).
    download_if_missing: try downloading into the per-user cache when no local copy is found.
    allow_fallback: when USPS cannot be had, return scikit-learn's digits (loudly) instead of
        raising.
    verbose: show download progress on stdout.
    """
    if path is not None:
        return load_folder(path)

    problems = []
    candidates = []
    if os.environ.get("USPS_DIR"):
        candidates.append(("USPS_DIR", Path(os.environ["USPS_DIR"])))
    candidates += [("course data folder", COURSE_DATA_DIR), ("user cache", cache_dir())]
    for label, folder in candidates:
        if label != "USPS_DIR" and not _pairs_in(folder):
            continue  # nothing there: not a problem worth reporting
        try:
            return load_folder(folder)
        except (OSError, USPSDataError) as err:
            problems.append(f"{label} ({folder}): {err}")
            warnings.warn(f"USPS in {label} is unusable, trying the next place: {err}",
                          stacklevel=2)

    if download_if_missing:
        try:
            return download(cache_dir(), sources=sources, show_progress=verbose)
        except USPSDataError as err:
            problems.append(str(err))

    message = "USPS could not be loaded:\n  " + "\n  ".join(problems or ["no local copy found"])
    if not allow_fallback:
        raise USPSDataError(message)
    banner = ("\n" + "!" * 78 + "\n"
              "!! USPS IS NOT AVAILABLE: falling back to scikit-learn's 8x8 digits, resampled\n"
              "!! to 16x16 (1,797 images, not USPS). The course still runs, but the numbers\n"
              "!! quoted in the notebooks are for USPS. Set USPS_DIR or connect to the internet.\n"
              + "!" * 78)
    warnings.warn(message + banner, stacklevel=2)
    return sklearn_digits_16x16()
