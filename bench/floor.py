"""The no-op floor: the same server stack (FastAPI on uvicorn, same worker count) doing nothing, so casework's
figures can be read as a share of what the stack itself can do on this machine at this moment."""

from fastapi import FastAPI

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
CONSTANT = {"ok": True}


@app.get("/floor")
async def get_floor() -> dict[str, bool]:
    return CONSTANT


@app.post("/floor")
async def post_floor() -> dict[str, bool]:
    # The body is sent but not read: the floor is the cost of the stack alone.
    return CONSTANT


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return CONSTANT
