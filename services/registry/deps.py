"""Dependencies specific to the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.idcard import IdCipher


def _id_cipher(request: Request) -> IdCipher:
    cipher: IdCipher = request.app.state.id_cipher
    return cipher


IdCipherDep = Annotated[IdCipher, Depends(_id_cipher)]
