"""The operation groups of ``ComputeClient``: ``scale_sets``, ``scale_set_vms``, ``features``."""

from aiovmss.operations.features import FeaturesOperations
from aiovmss.operations.scale_set_vms import ScaleSetVMsOperations
from aiovmss.operations.scale_sets import ScaleSetsOperations

__all__ = ["FeaturesOperations", "ScaleSetVMsOperations", "ScaleSetsOperations"]
