"""Tests for course/data.py, on the real USPS files in ../shared/data/usps (see conftest.py).

Nothing here touches the internet: downloads go to a loopback HTTP server on 127.0.0.1, and the
autouse ``no_internet`` fixture fails any test that tries to go further. Every test runs with
USPS_DIR unset, XDG_CACHE_HOME inside its own tmp_path and COURSE_DATA_DIR pointing at a folder
that does not exist, so no copy of USPS on the machine can leak in.

The expected numbers below come from shared/data/README.md, not from course.data, so that a wrong
constant in the module would be caught.
"""
from __future__ import annotations

import bz2
import gzip
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import course.data as data
from course.data import (
    DOWNLOAD_SOURCES,
    Digits,
    USPSDataError,
    cache_dir,
    download,
    load_folder,
    load_usps,
    parse_esl,
    parse_file,
    parse_libsvm,
    sklearn_digits_16x16,
    verify,
)

N_TRAIN, N_TEST, N_PIXELS = 7291, 2007, 256
TRAIN_COUNTS = (1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644)
TEST_COUNTS = (359, 264, 198, 166, 200, 160, 170, 147, 166, 177)
ESL_PAIR = ("zip.train.gz", "zip.test.gz")
LIBSVM_PAIR = ("usps.bz2", "usps.t.bz2")


# ----------------------------------------------------------------------------------- helpers
def link_files(folder: Path, *files: Path) -> Path:
    """Make folder (and parents) holding symbolic links to files; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / f.name).symlink_to(f)
    return folder


def link_usps(folder: Path, shared: Path) -> Path:
    return link_files(folder, *(shared / f for f in ESL_PAIR))


def load_strict(*args, **kwargs) -> Digits:
    """load_usps with no download, no fallback, and any warning turned into an error."""
    kwargs.setdefault("download_if_missing", False)
    kwargs.setdefault("allow_fallback", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_usps(*args, **kwargs)


def assert_same_data(got: Digits, want: Digits):
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)


def assert_same_up_to_rounding(got: Digits, want: Digits):
    """The same images, rescaled from another scaling (float rounding aside), and labels."""
    for field in ("X_train", "X_test"):
        X = getattr(got, field)
        assert X.min() == -1.0 and X.max() == 1.0, field
        np.testing.assert_allclose(X, getattr(want, field), rtol=0, atol=1e-9, err_msg=field)
    for field in ("y_train", "y_test"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)


def listing(folder: Path):
    """Every entry in folder, hidden ones included (a temporary .part file would show up)."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def svmlight(X, y) -> str:
    """(X, y) in LIBSVM's svmlight format: labels 1-10, 1-based features, zeros left out.

    %g writes the ESL values (4 decimals) and their [0, 1] images (5 decimals) exactly.
    """
    line = "%d " + " ".join(f"{j}:%g" for j in range(1, N_PIXELS + 1))
    text = "\n".join(line % (label + 1, *row) for label, row in zip(y.tolist(), X.tolist()))
    return re.sub(r" \d+:-?0(?=[ \n])", "", text + "\n")


def esl_gz(text: str) -> bytes:
    return gzip.compress(text.encode("ascii"), compresslevel=1)


def check_test_file(text: str):
    """What load_folder does with a zip.test.gz holding `text`: parse it, then verify it."""
    X, y = parse_file(esl_gz(text), "zip.test.gz")
    verify(X, y, "test", "zip.test.gz")
    return X, y


def edit_lines(text: str, edit) -> str:
    """Apply edit(index, fields) -> fields to every line of an ESL text."""
    lines = text.splitlines()
    return "\n".join(" ".join(edit(i, line.split())) for i, line in enumerate(lines)) + "\n"


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No USPS_DIR, a private cache, and no course data folder, unless a test sets them."""
    monkeypatch.delenv("USPS_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setattr(data, "COURSE_DATA_DIR", tmp_path / "no-course-data" / "usps")


@pytest.fixture
def cache(tmp_path) -> Path:
    """Where the cache is for this test (it does not exist yet)."""
    path = tmp_path / "xdg-cache" / "backprop-course" / "usps"
    assert cache_dir() == path
    return path


@pytest.fixture(scope="session")
def esl_test_text(shared_usps_dir) -> str:
    """The decompressed text of the real zip.test.gz."""
    return gzip.decompress((shared_usps_dir / "zip.test.gz").read_bytes()).decode("ascii")


@pytest.fixture(scope="session")
def libsvm_dirs(usps, tmp_path_factory) -> dict:
    """usps.bz2 / usps.t.bz2 made from the real data, in two renditions (folder per rendition):

    "pm1": the ESL values as they are, in [-1, 1] (so loading must give the very same pixels);
    "01":  the values mapped to [0, 1], which the loader must map back onto [-1, 1]. The
           background (-1) becomes 0 and is left out, so these files are quicker to parse.
    """
    renditions = {"pm1": lambda X: X, "01": lambda X: (X + 1) / 2}
    folders = {}
    for key, transform in renditions.items():
        folder = tmp_path_factory.mktemp(f"libsvm-{key}")
        for fname, X, y in ((LIBSVM_PAIR[0], usps.X_train, usps.y_train),
                            (LIBSVM_PAIR[1], usps.X_test, usps.y_test)):
            text = svmlight(transform(np.asarray(X)), y)
            (folder / fname).write_bytes(bz2.compress(text.encode("ascii"), compresslevel=1))
        folders[key] = folder
    return folders


@pytest.fixture
def server(loopback_server, shared_usps_dir, libsvm_dirs):
    """The loopback server, serving copies of the real ESL files and the [0, 1] LIBSVM files."""
    files = [shared_usps_dir / f for f in ESL_PAIR] + [libsvm_dirs["01"] / f for f in LIBSVM_PAIR]
    for f in files:
        shutil.copyfile(f, loopback_server.root / f.name)
    return loopback_server


def sources_of(server):
    """DOWNLOAD_SOURCES, pointing at the loopback server."""
    return (("ESL", "esl", server.url(ESL_PAIR[0]), server.url(ESL_PAIR[1])),
            ("LIBSVM", "libsvm", server.url(LIBSVM_PAIR[0]), server.url(LIBSVM_PAIR[1])))


# ------------------------------------------------------------------------- the real data
# `usps` (conftest.py) is load_usps(str(shared_usps_dir)), strict: loaded once per session.
def test_real_data_shapes_range_labels_and_counts(usps):
    assert usps.X_train.shape == (N_TRAIN, N_PIXELS)
    assert usps.X_test.shape == (N_TEST, N_PIXELS)
    assert usps.y_train.shape == (N_TRAIN,)
    assert usps.y_test.shape == (N_TEST,)
    for X in (usps.X_train, usps.X_test):
        assert X.dtype.kind == "f"
        assert np.isfinite(X).all()
        assert X.min() == -1.0 and X.max() == 1.0
    for y, counts in ((usps.y_train, TRAIN_COUNTS), (usps.y_test, TEST_COUNTS)):
        assert y.dtype.kind == "i"
        assert set(np.unique(y).tolist()) == set(range(10))
        assert tuple(np.bincount(y, minlength=10).tolist()) == counts
    assert usps.is_usps is True
    assert repr(usps).startswith(f"Digits({N_TRAIN} train + {N_TEST} test images, 256 features")


def test_real_data_rows_match_the_file_text(usps, esl_test_text):
    lines = esl_test_text.splitlines()
    for i in (0, 1, N_TEST - 1):
        fields = [float(v) for v in lines[i].split()]
        assert usps.y_test[i] == fields[0]
        np.testing.assert_array_equal(usps.X_test[i], fields[1:])


def test_source_names_the_folder_and_files(usps, shared_usps_dir):
    assert str(shared_usps_dir) in usps.source
    assert "zip.train.gz" in usps.source and "zip.test.gz" in usps.source


# ------------------------------------------------------------------- where the data is found
def test_explicit_path_beats_usps_dir(monkeypatch, tmp_path, shared_usps_dir):
    explicit = link_usps(tmp_path / "explicit", shared_usps_dir)
    monkeypatch.setenv("USPS_DIR", str(link_usps(tmp_path / "from-env", shared_usps_dir)))
    d = load_strict(explicit)
    assert str(explicit) in d.source and str(tmp_path / "from-env") not in d.source


def test_usps_dir_is_used_before_course_folder_and_cache(monkeypatch, tmp_path, shared_usps_dir,
                                                         cache, usps):
    folder = link_usps(tmp_path / "from-env", shared_usps_dir)
    monkeypatch.setenv("USPS_DIR", str(folder))
    monkeypatch.setattr(data, "COURSE_DATA_DIR", link_usps(tmp_path / "course", shared_usps_dir))
    link_usps(cache, shared_usps_dir)
    d = load_strict()
    assert str(folder) in d.source
    assert str(tmp_path / "course") not in d.source and str(cache) not in d.source
    assert_same_data(d, usps)


def test_course_folder_beats_cache(monkeypatch, tmp_path, shared_usps_dir, cache):
    course = link_usps(tmp_path / "course" / "data" / "usps", shared_usps_dir)
    monkeypatch.setattr(data, "COURSE_DATA_DIR", course)
    link_usps(cache, shared_usps_dir)
    d = load_strict()
    assert str(course) in d.source and str(cache) not in d.source


def test_cache_is_used_when_nothing_else_is_there(shared_usps_dir, cache, usps):
    link_usps(cache, shared_usps_dir)
    d = load_strict()
    assert str(cache) in d.source
    assert_same_data(d, usps)


def test_nothing_anywhere_without_download_or_fallback_raises(cache):
    with pytest.raises(USPSDataError, match="no local copy found"):
        load_strict()
    assert not cache.exists()


# ----------------------------------------------------------------- an explicit path must work
@pytest.mark.parametrize("case", ["missing", "a file", "empty", "half a pair", "corrupted"])
def test_bad_explicit_path_raises_without_falling_back(case, monkeypatch, tmp_path,
                                                       shared_usps_dir):
    # A perfectly good USPS_DIR and course folder must not be used instead.
    monkeypatch.setenv("USPS_DIR", str(link_usps(tmp_path / "from-env", shared_usps_dir)))
    monkeypatch.setattr(data, "COURSE_DATA_DIR", link_usps(tmp_path / "course", shared_usps_dir))
    path = tmp_path / "explicit"
    if case == "missing":
        expected = f"{path}: no such folder"
    elif case == "a file":
        path.write_text("not a folder")
        expected = f"{path}: not a folder"
    elif case == "empty":
        path.mkdir()
        expected = f"{path}: holds neither zip.train.gz + zip.test.gz nor usps.bz2 + usps.t.bz2"
    elif case == "half a pair":
        link_files(path, shared_usps_dir / "zip.train.gz")
        expected = f"{path}: holds neither"
    else:
        link_files(path, shared_usps_dir / "zip.test.gz")
        (path / "zip.train.gz").write_bytes(b"this is not gzip data " * 100)
        expected = f"{path / 'zip.train.gz'}: corrupted or truncated archive"
    with pytest.raises(USPSDataError) as excinfo:
        load_strict(path)
    assert expected in str(excinfo.value)


@pytest.mark.parametrize("case", ["missing", "corrupted"])
def test_broken_usps_dir_warns_and_moves_on(case, monkeypatch, tmp_path, shared_usps_dir, usps):
    broken = tmp_path / "broken-env"
    if case == "corrupted":
        link_files(broken, shared_usps_dir / "zip.test.gz")
        (broken / "zip.train.gz").write_bytes(gzip.compress(b"1.0 0.5 -0.5\n"))
    monkeypatch.setenv("USPS_DIR", str(broken))
    course = link_usps(tmp_path / "course", shared_usps_dir)
    monkeypatch.setattr(data, "COURSE_DATA_DIR", course)
    with pytest.warns(UserWarning, match="USPS in USPS_DIR is unusable") as record:
        d = load_usps(download_if_missing=False, allow_fallback=False)
    assert str(course) in d.source
    assert_same_data(d, usps)
    message = str(record[0].message)
    assert str(broken) in message
    assert ("no such folder" if case == "missing" else "line 1 has 3 fields") in message


# ------------------------------------------------------------------------------ LIBSVM format
def test_libsvm_files_give_the_same_data(libsvm_dirs, usps):
    d = load_strict(libsvm_dirs["pm1"])
    assert "usps.bz2" in d.source and "usps.t.bz2" in d.source
    assert_same_data(d, usps)


def test_libsvm_in_another_scaling_is_mapped_onto_minus_one_one(libsvm_dirs, usps):
    folder = libsvm_dirs["01"]
    values = [float(item.split(":")[1])
              for item in bz2.decompress((folder / "usps.t.bz2").read_bytes()).decode().split()
              if ":" in item]
    assert min(values) > 0 and max(values) == 1  # the files really are in [0, 1], zeros left out
    d = load_strict(folder)
    assert "usps.bz2" in d.source
    assert_same_up_to_rounding(d, usps)


def test_parse_libsvm_labels_missing_features_and_scaling():
    # In [-1, 1] already: left alone; features left out are 0; labels 1-10 are digits 0-9.
    X, y = parse_libsvm(b"10 1:1 2:-1 4:0.25\n\n1 256:-0.5 1:-1 2:1\n")
    assert y.tolist() == [9, 0]
    assert X.shape == (2, 256)
    assert X[0, :4].tolist() == [1, -1, 0, 0.25] and not X[0, 4:].any()
    assert X[1, 255] == -0.5 and X[1, 2] == 0
    # In [0, 255]: mapped linearly onto [-1, 1], a left-out feature being 0, hence -1.
    X, _ = parse_libsvm(b"1 1:0 2:255 3:51\n2 1:255\n")
    assert X[0, :4].tolist() == pytest.approx([-1, 1, -0.6, -1], abs=1e-12)
    assert X[1, 0] == 1 and (X[1, 1:] == -1).all()


@pytest.mark.parametrize("raw, message", [
    (b"1 1:0.5 257:1\n", "line 1 has feature index 257, outside 1..256"),
    (b"1 1:0.5\n2 0:1\n", "line 2 has feature index 0, outside 1..256"),
    (b"1 1=0.5\n", "not the svmlight format"),
    (b"one 1:0.5\n", "not the svmlight format"),
    (b"1 1:0.5:2\n", "not the svmlight format"),
    (b"1 1:\xff\n", "not the svmlight format"),
    (b"1 1:nan 2:1\n", "not all finite"),
    (b"1\n2\n", "every pixel value is 0"),
    (b"\n \n", "holds no images"),
])
def test_parse_libsvm_rejects_bad_input(raw, message):
    with pytest.raises(USPSDataError, match=re.escape(message)):
        parse_libsvm(raw, "usps.t.bz2")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_bad_bz2_is_reported(libsvm_dirs, damage):
    raw = (libsvm_dirs["pm1"] / "usps.t.bz2").read_bytes()
    raw = bytes(range(256)) * 20 if damage == "garbage" else raw[: len(raw) // 2]
    with pytest.raises(USPSDataError, match=r"^usps\.t\.bz2: corrupted or truncated archive"):
        parse_file(raw, "usps.t.bz2")


# ------------------------------------------------------------------ damaged or wrong ESL files
@pytest.mark.parametrize("damage", ["garbage", "garbage inside", "truncated"])
def test_damaged_gz_is_reported(damage, tmp_path, shared_usps_dir):
    raw = (shared_usps_dir / "zip.train.gz").read_bytes()
    if damage == "garbage":
        raw = np.random.default_rng(0).bytes(len(raw))
    elif damage == "garbage inside":  # the gzip header intact, the deflate stream broken
        raw = raw[:1000] + np.random.default_rng(0).bytes(5000) + raw[6000:]
    else:
        raw = raw[: len(raw) // 2]
    folder = link_files(tmp_path / "damaged", shared_usps_dir / "zip.test.gz")
    (folder / "zip.train.gz").write_bytes(raw)
    with pytest.raises(USPSDataError) as excinfo:
        load_folder(folder)
    assert f"{folder / 'zip.train.gz'}: corrupted or truncated archive" in str(excinfo.value)


def test_dropped_column_is_reported(esl_test_text):
    with pytest.raises(USPSDataError, match=r"line 1 has 256 fields; expected 257"):
        check_test_file(edit_lines(esl_test_text, lambda i, f: f[:-1]))


def test_one_short_line_is_reported(esl_test_text):
    with pytest.raises(USPSDataError, match=r"line 6 has 256 fields; expected 257"):
        check_test_file(edit_lines(esl_test_text, lambda i, f: f[:-1] if i == 5 else f))


def test_dropped_rows_are_reported(esl_test_text):
    text = "\n".join(esl_test_text.splitlines()[:2000]) + "\n"
    with pytest.raises(USPSDataError,
                       match=r"2000 images of 256 values; USPS test has 2007 images of 256"):
        check_test_file(text)


def test_wrong_class_counts_are_reported(esl_test_text):
    zeros_seen = 0

    def relabel(i, fields):  # the first five 0s become 1s
        nonlocal zeros_seen
        if float(fields[0]) == 0 and zeros_seen < 5:
            zeros_seen += 1
            fields[0] = "1.0000"
        return fields

    with pytest.raises(USPSDataError) as excinfo:
        check_test_file(edit_lines(esl_test_text, relabel))
    message = str(excinfo.value)
    assert message.startswith("zip.test.gz: class counts (354, 269, 198,")
    assert f"differ from USPS test {TEST_COUNTS}" in message


@pytest.mark.parametrize("value, message", [
    ("1.5000", "pixel values outside [-1, 1]"),
    ("-1.0001", "pixel values outside [-1, 1]"),
    ("nan", "not finite"),
    ("inf", "not finite"),
    ("dark", "not the ESL USPS text format"),
])
def test_bad_pixel_value_is_reported(esl_test_text, value, message):
    def spoil(i, fields):
        if i == 100:
            fields[77] = value
        return fields

    with pytest.raises(USPSDataError, match=re.escape(message)):
        check_test_file(edit_lines(esl_test_text, spoil))


@pytest.mark.parametrize("label, message", [
    ("10.0000", "labels outside 0..9"),
    ("-1.0000", "labels outside 0..9"),
    ("2.5000", "labels are not whole numbers"),
])
def test_bad_label_is_reported(esl_test_text, label, message):
    def spoil(i, fields):
        if i == 3:
            fields[0] = label
        return fields

    with pytest.raises(USPSDataError, match=re.escape(message)):
        check_test_file(edit_lines(esl_test_text, spoil))


@pytest.mark.parametrize("raw, message", [
    (b"", "holds no images"),
    (b"\n  \n", "holds no images"),
    (b"\xff\xfe" * 300, "not the ESL USPS text format"),
])
def test_parse_esl_rejects_non_esl_text(raw, message):
    with pytest.raises(USPSDataError, match=re.escape(message)):
        parse_esl(raw, "zip.test.gz")


def test_verify_checks_labels_match_images(usps):
    with pytest.raises(USPSDataError, match="2006 labels for 2007 images"):
        verify(usps.X_test, usps.y_test[:-1], "test", "x")
    with pytest.raises(ValueError, match="split"):
        verify(usps.X_test, usps.y_test, "validation", "x")
    verify(usps.X_test, usps.y_test, "test", "x")  # the real thing passes


# --------------------------------------------------------------------------------- downloading
def test_default_sources_are_esl_then_libsvm():
    (esl, fmt1, *esl_urls), (libsvm, fmt2, *libsvm_urls) = DOWNLOAD_SOURCES
    assert (esl, fmt1, libsvm, fmt2) == ("ESL", "esl", "LIBSVM", "libsvm")
    assert [u.rsplit("/", 1)[1] for u in esl_urls] == list(ESL_PAIR)
    assert [u.rsplit("/", 1)[1] for u in libsvm_urls] == list(LIBSVM_PAIR)
    assert all(u.startswith("https://") for u in esl_urls + libsvm_urls)


def test_tests_cannot_reach_the_default_sources(no_internet, cache):
    # Nothing local: load_usps goes for the first default source, which the guard refuses.
    with pytest.raises(pytest.fail.Exception, match="must not use the internet"):
        load_usps(verbose=False)
    assert no_internet == [DOWNLOAD_SOURCES[0][2]]
    assert listing(cache) == []


def test_esl_download_fills_the_cache_which_is_found_next_time(server, cache, usps,
                                                               shared_usps_dir, capsys):
    d = load_usps(sources=sources_of(server), allow_fallback=False)  # verbose by default
    assert d.is_usps and "ESL" in d.source and str(cache) in d.source
    assert_same_data(d, usps)
    assert server.requests == list(ESL_PAIR)
    assert listing(cache) == sorted(ESL_PAIR)
    for f in ESL_PAIR:
        assert (cache / f).read_bytes() == (shared_usps_dir / f).read_bytes()

    out = capsys.readouterr().out
    assert out.startswith("Downloading USPS from ESL\n") and "LIBSVM" not in out
    size = (shared_usps_dir / "zip.train.gz").stat().st_size
    # The last progress line of each file shows a full bar and the file's size.
    assert re.search(r"zip\.train\.gz +\[#{30}\] +%.2f / %.2f MB\n" % (size / 1e6, size / 1e6), out)
    assert re.search(r"zip\.test\.gz +\[#{30}\]", out)
    assert "\r" in out  # the bar is redrawn in place

    # Again, with the default (internet) sources: the cache must be found without downloading.
    again = load_strict(download_if_missing=True)
    assert str(cache) in again.source and "downloaded" not in again.source
    assert_same_data(again, usps)
    assert server.requests == list(ESL_PAIR)


def test_esl_missing_falls_back_to_libsvm(server, cache, usps):
    (server.root / "zip.train.gz").unlink()  # 404
    d = load_strict(sources=sources_of(server), download_if_missing=True, verbose=False)
    assert "LIBSVM" in d.source and d.is_usps
    assert_same_up_to_rounding(d, usps)
    assert server.requests == ["zip.train.gz", "usps.bz2", "usps.t.bz2"]
    assert listing(cache) == sorted(LIBSVM_PAIR)


@pytest.mark.parametrize("fname, damage", [("zip.train.gz", "garbage"),
                                           ("zip.test.gz", "truncated")])
def test_damaged_esl_download_falls_back_and_leaves_nothing_behind(fname, damage, server, cache,
                                                                  usps):
    served = server.root / fname
    raw = served.read_bytes()
    served.write_bytes(np.random.default_rng(1).bytes(len(raw)) if damage == "garbage"
                       else raw[: len(raw) // 2])
    d = load_strict(sources=sources_of(server), download_if_missing=True, verbose=False)
    assert "LIBSVM" in d.source
    assert_same_up_to_rounding(d, usps)
    # Only the LIBSVM pair: no ESL file (even a verified zip.train.gz), no temporary file.
    assert listing(cache) == sorted(LIBSVM_PAIR)


def test_both_sources_failing_raises_naming_both(server, cache, capsys):
    for f in list(server.root.iterdir()):
        f.unlink()
    with pytest.raises(USPSDataError) as excinfo:
        load_usps(sources=sources_of(server), allow_fallback=False, verbose=False)
    message = str(excinfo.value)
    assert "ESL: " + server.url("zip.train.gz") in message
    assert "LIBSVM: " + server.url("usps.bz2") in message
    assert message.count("HTTP Error 404") == 2
    assert capsys.readouterr().out == ""  # verbose=False: not a word
    assert listing(cache) == []


def test_both_sources_failing_falls_back_to_sklearn_loudly(server, cache):
    for f in ESL_PAIR:
        (server.root / f).write_bytes(b"garbage")
    (server.root / "usps.bz2").unlink()
    with pytest.warns(UserWarning, match="USPS IS NOT AVAILABLE") as record:
        d = load_usps(sources=sources_of(server), verbose=False)
    assert d.is_usps is False
    assert "NOT USPS" in d.source
    message = str(record[0].message)
    assert "ESL: " in message and "LIBSVM: " in message
    assert_same_data(d, sklearn_digits_16x16())
    assert listing(cache) == []


def test_content_length_longer_than_the_body_is_detected(server, cache, shared_usps_dir):
    server.faults["zip.train.gz"] = "short"
    with pytest.raises(USPSDataError) as excinfo:
        download(sources=sources_of(server)[:1], show_progress=False)
    message = str(excinfo.value)
    size = (shared_usps_dir / "zip.train.gz").stat().st_size
    assert server.url("zip.train.gz") in message
    # Python 3.11 ends the read quietly (the loader compares with Content-Length); newer
    # versions may raise IncompleteRead. Either way it must be reported, not used.
    assert f"stopped at {size // 2} of {size} bytes" in message or "IncompleteRead" in message
    assert server.requests == ["zip.train.gz"]
    assert listing(cache) == []


def test_cut_chunked_transfer_is_detected(server, cache):
    server.faults["zip.train.gz"] = "chunked-cut"
    with pytest.raises(USPSDataError, match=re.escape(server.url("zip.train.gz"))):
        download(sources=sources_of(server)[:1], show_progress=False)
    assert listing(cache) == []


def test_stalled_download_times_out(server, cache):
    server.faults["zip.train.gz"] = "stall"
    with pytest.raises(USPSDataError, match="timed out"):
        download(sources=sources_of(server)[:1], show_progress=False, timeout=0.5)
    assert listing(cache) == []


def test_download_next_to_stale_cache_files(server, cache, usps):
    cache.mkdir(parents=True)
    for f in ESL_PAIR:
        (cache / f).write_bytes(b"a stale, broken file")
    (server.root / "zip.train.gz").unlink()
    with pytest.warns(UserWarning, match="USPS in user cache is unusable"):
        d = load_usps(sources=sources_of(server), allow_fallback=False, verbose=False)
    assert "LIBSVM" in d.source
    assert_same_up_to_rounding(d, usps)
    # The next load uses the LIBSVM pair in the cache (saying why), with no download.
    with pytest.warns(UserWarning, match=r"using usps\.bz2 \+ usps\.t\.bz2 instead"):
        again = load_usps(allow_fallback=False, verbose=False)
    assert str(cache) in again.source and "usps.bz2" in again.source
    assert_same_up_to_rounding(again, usps)
    assert server.requests == ["zip.train.gz", "usps.bz2", "usps.t.bz2"]


# ---------------------------------------------------------------------- scikit-learn fallback
def test_sklearn_fallback_looks_like_usps_and_says_it_is_not():
    d = sklearn_digits_16x16()
    assert d.X_train.shape[1] == d.X_test.shape[1] == 256
    assert d.X_train.shape[0] + d.X_test.shape[0] == 1797
    assert d.X_test.shape[0] == round(0.2 * 1797)
    assert len(d.y_train) == d.X_train.shape[0] and len(d.y_test) == d.X_test.shape[0]
    for X in (d.X_train, d.X_test):
        assert np.isfinite(X).all() and X.min() == -1.0 and X.max() == 1.0
    for y in (d.y_train, d.y_test):
        assert y.dtype.kind == "i" and set(np.unique(y).tolist()) == set(range(10))
    assert d.is_usps is False and "NOT USPS" in d.source
    # The background is -1, as in USPS: the corner pixels are blank in almost every image.
    assert np.mean(d.X_train[:, [0, 15, 240, 255]] == -1) > 0.9


def test_sklearn_fallback_is_deterministic():
    a, b = sklearn_digits_16x16(), sklearn_digits_16x16()
    assert_same_data(a, b)
    c = sklearn_digits_16x16(seed=1)
    assert not np.array_equal(c.y_test, a.y_test)  # another split of the same images
    assert sorted(map(bytes, np.vstack([c.X_train, c.X_test]))) == \
        sorted(map(bytes, np.vstack([a.X_train, a.X_test])))


# ------------------------------------------------------------------------------------ cache
def test_cache_dir_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "backprop-course" / "usps"


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_cache_dir_defaults_to_home(monkeypatch, tmp_path, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == tmp_path / ".cache" / "backprop-course" / "usps"
