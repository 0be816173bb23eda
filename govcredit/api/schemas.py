"""Small schemas several routers share."""

from ninja import Field, Schema


class Ref(Schema):
    id: int = Field(description="编号")
    name: str = Field(description="名称")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="理由（写入留痕记录）")
