"""Small typed factories and the areas tests run in."""

from __future__ import annotations

from collections.abc import Callable

TOWN = "370404104"  # 峨山镇
VILLAGE = "370404104001"
OTHER_TOWN = "370404100"  # 古邵镇
OTHER_VILLAGE = "370404100001"

TokenFactory = Callable[..., dict[str, str]]
