"""What every function shares: the argument error that names its parameter, and the framework glue."""

from __future__ import annotations

from typing import Any, ClassVar

from tf.function import CallContext, FunctionSignature

from provider.tfext.servicer import FunctionArgumentError

# A refused argument: ArgumentError(index, text). Terraform names the parameter itself from the index
# ("Invalid value for "csr" parameter: ..."), so the text says what is wrong and what is accepted, in lower case.
ArgumentError = FunctionArgumentError


class ProviderFunction:
    """Base of this provider's functions: a name, a signature and `run(*arguments)`. The servicer turns an
    ArgumentError into the protocol's FunctionError with the argument's index (provider/tfext/servicer.py)."""

    NAME: ClassVar[str]
    SIGNATURE: ClassVar[FunctionSignature]

    def __init__(self, provider: Any = None) -> None:  # the framework passes the (unconfigured) provider
        pass

    @classmethod
    def get_name(cls) -> str:
        return cls.NAME

    @classmethod
    def get_signature(cls) -> FunctionSignature:
        return cls.SIGNATURE

    def call(self, ctx: CallContext, arguments: list[Any]) -> Any:
        return self.run(*arguments)

    def run(self, *arguments: Any) -> Any:
        raise NotImplementedError
