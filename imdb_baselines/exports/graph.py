"""A small builder for ONNX graphs: nodes with generated names, constants as initializers."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["OPSETS", "GraphBuilder"]

#: The operator sets the exported graphs use: ONNX 20 (RegexFullMatch), ONNX-ML 3 (LabelEncoder) and
#: onnxruntime's own domain (its regular-expression Tokenizer).
OPSETS = {"": 20, "ai.onnx.ml": 3, "com.microsoft": 1}


class GraphBuilder:
    """Collects nodes, initializers, inputs and outputs; ``op`` returns the name(s) of a node's output(s)."""

    def __init__(self, prefix: str = "") -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._names = (f"{prefix}t{i}" for i in itertools.count())

    def name(self) -> str:
        return next(self._names)

    def const(self, value: Any, dtype: Any = None) -> str:
        """A constant tensor (an initializer), from a scalar, list or array."""
        array = np.asarray(value, dtype=dtype)
        if array.dtype.kind in "OUS":
            tensor = helper.make_tensor(self.name(), TensorProto.STRING, array.shape,
                                        [s.encode("utf-8") for s in array.ravel().tolist()])
        else:
            tensor = numpy_helper.from_array(array, self.name())
        self.initializers.append(tensor)
        return tensor.name

    def op(self, op_type: str, *inputs: str, outputs: int = 1, domain: str = "", **attributes: Any) -> Any:
        names = [self.name() for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, domain=domain, **attributes))
        return names[0] if outputs == 1 else names

    def input(self, name: str, elem_type: int, shape: list) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def output(self, source: str, name: str, elem_type: int, shape: list) -> None:
        self.nodes.append(helper.make_node("Identity", [source], [name]))
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def model(self, graph_name: str, doc: str = "", metadata: dict[str, str] | None = None) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in OPSETS.items()],
                                  producer_name="imdb-baselines", doc_string=doc)
        model.ir_version = 10
        for key, value in (metadata or {}).items():
            model.metadata_props.add(key=key, value=value)
        return model
