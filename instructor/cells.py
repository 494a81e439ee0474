"""Reading notebook cells as plain JSON dicts (submissions may be anything, so no nbformat)."""


def nbgrader_meta(cell):
    """A cell's nbgrader metadata ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def source_text(cell):
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)
