"""fakevmss: an in-process fake of the Azure VM Scale Set API with Resilient create and delete."""

__all__: list[str] = []
