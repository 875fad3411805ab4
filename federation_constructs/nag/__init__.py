"""Rule packs and the helpers that go with them (cdk-nag 3.x model)."""

from federation_constructs.nag.acknowledge import acknowledge

__all__ = ["acknowledge"]
