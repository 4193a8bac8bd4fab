"""Sizes as a French reader reads them."""


def french_size(count: int) -> str:
    """« 1,9 Gio », « 312 Mio »."""
    if count >= 1024 ** 3:
        return f"{count / 1024 ** 3:.1f} Gio".replace(".", ",")
    return f"{count / 1024 ** 2:.0f} Mio"
