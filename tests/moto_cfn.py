"""moto CloudFormation models for the resource types moto's own CloudFormation skips.

moto 5.2.5 creates stacks from templates but has no CloudFormation model for `AWS::IAM::OIDCProvider`,
`AWS::IAM::SAMLProvider` or `AWS::Cognito::*`: it skips them, so every `Ref` to them resolves to
nothing. The models here create those resources through moto's own IAM, cognito-idp and
cognito-identity backends and return the physical ids CloudFormation returns (provider ARN, user pool
id, app client id, identity pool id), so a synthesized template deploys into moto as it would into an
account, and `list_stack_resources` maps each logical id to its physical id.

moto finds models as direct subclasses of `CloudFormationModel` through a cached map: `register()`
clears that cache after this module defined its classes. Test-only: the package never imports it.
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cognitoidentity.models import cognitoidentity_backends
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

__all__ = ["deployable", "register"]


def _iam(account_id: str, region_name: str) -> Any:
    return iam_backends[account_id][get_partition(region_name)]


class _Created:
    """What the models share (mixed in before `CloudFormationModel`, which moto finds only through its
    direct subclasses): the resource type and name property as class data, the physical id, the
    `Fn::GetAtt` attributes from `attributes()`, and a resource that exists once constructed."""

    TYPE: ClassVar[str]
    NAME_TYPE: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, physical_id: str) -> None:
        self.physical_id = physical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_TYPE

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def attributes(self) -> dict[str, str]:
        return {}

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name in self.ATTRIBUTES:
            return self.attributes()[attribute_name]
        raise UnformattedGetAttTemplateException()

    def is_created(self) -> bool:
        return True


class OidcProviderModel(_Created, CloudFormationModel):
    """`AWS::IAM::OIDCProvider`: physical id and `Arn` are the provider ARN."""

    TYPE = "AWS::IAM::OIDCProvider"
    ATTRIBUTES = frozenset({"Arn"})

    def attributes(self) -> dict[str, str]:
        return {"Arn": self.physical_id}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> OidcProviderModel:
        properties = cloudformation_json["Properties"]
        provider = _iam(account_id, region_name).create_open_id_connect_provider(
            url=properties["Url"],
            thumbprint_list=properties.get("ThumbprintList", []),
            client_id_list=properties.get("ClientIdList", []),
            tags=properties.get("Tags", []),
        )
        return cls(provider.arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
    ) -> None:
        _iam(account_id, region_name).delete_open_id_connect_provider(resource_name)


class SamlProviderModel(_Created, CloudFormationModel):
    """`AWS::IAM::SAMLProvider`: physical id and `Arn` are the provider ARN; `Name` names it."""

    TYPE = "AWS::IAM::SAMLProvider"
    NAME_TYPE = "Name"
    ATTRIBUTES = frozenset({"Arn"})

    def attributes(self) -> dict[str, str]:
        return {"Arn": self.physical_id}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SamlProviderModel:
        properties = cloudformation_json["Properties"]
        provider = _iam(account_id, region_name).create_saml_provider(
            name=resource_name[:128], saml_metadata_document=properties["SamlMetadataDocument"]
        )
        return cls(provider.arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
    ) -> None:
        _iam(account_id, region_name).delete_saml_provider(resource_name)


class UserPoolModel(_Created, CloudFormationModel):
    """`AWS::Cognito::UserPool`: physical id the pool id; `Arn`, `ProviderName`, `ProviderURL`."""

    TYPE = "AWS::Cognito::UserPool"
    NAME_TYPE = "UserPoolName"
    ATTRIBUTES = frozenset({"Arn", "ProviderName", "ProviderURL", "UserPoolId"})

    def __init__(self, pool: Any, region_name: str) -> None:
        super().__init__(str(pool.id))
        self.pool = pool
        self.region_name = region_name

    def attributes(self) -> dict[str, str]:
        provider = f"cognito-idp.{self.region_name}.amazonaws.com/{self.pool.id}"
        return {
            "Arn": str(self.pool.arn),
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": str(self.pool.id),
        }

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPoolModel:
        properties = dict(cloudformation_json["Properties"])
        properties.pop("UserPoolName", None)
        pool = cognitoidp_backends[account_id][region_name].create_user_pool(resource_name, properties)
        return cls(pool, region_name)


class UserPoolClientModel(_Created, CloudFormationModel):
    """`AWS::Cognito::UserPoolClient`: physical id the app client id."""

    TYPE = "AWS::Cognito::UserPoolClient"
    NAME_TYPE = "ClientName"
    ATTRIBUTES = frozenset({"ClientId"})

    def attributes(self) -> dict[str, str]:
        return {"ClientId": self.physical_id}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPoolClientModel:
        properties = dict(cloudformation_json["Properties"])
        pool_id = properties.pop("UserPoolId")
        generate_secret = bool(properties.pop("GenerateSecret", False))
        properties.setdefault("ClientName", resource_name)
        client = cognitoidp_backends[account_id][region_name].create_user_pool_client(
            pool_id, generate_secret, properties
        )
        return cls(client.id)


class IdentityPoolModel(_Created, CloudFormationModel):
    """`AWS::Cognito::IdentityPool`: physical id the identity pool id (`REGION:uuid`)."""

    TYPE = "AWS::Cognito::IdentityPool"
    NAME_TYPE = "IdentityPoolName"
    ATTRIBUTES = frozenset({"Id", "Name"})

    def __init__(self, pool_id: str, name: str) -> None:
        super().__init__(pool_id)
        self.name = name

    def attributes(self) -> dict[str, str]:
        return {"Id": self.physical_id, "Name": self.name}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],  # type: ignore[override]
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> IdentityPoolModel:
        properties = cloudformation_json["Properties"]
        name = resource_name.replace("_", "-")[:128]
        created = cognitoidentity_backends[account_id][region_name].create_identity_pool(
            identity_pool_name=name,
            allow_unauthenticated_identities=bool(properties.get("AllowUnauthenticatedIdentities", False)),
            supported_login_providers=properties.get("SupportedLoginProviders", {}),
            developer_provider_name=properties.get("DeveloperProviderName", ""),
            open_id_connect_provider_arns=properties.get("OpenIdConnectProviderARNs", []),
            cognito_identity_providers=properties.get("CognitoIdentityProviders", []),
            saml_provider_arns=properties.get("SamlProviderARNs", []),
            tags={t["Key"]: t["Value"] for t in properties.get("IdentityPoolTags", [])},
        )
        return cls(json.loads(created)["IdentityPoolId"], name)


def register() -> None:
    """Make moto's CloudFormation see the models above (its model map is cached on first use)."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    missing = {
        m.cloudformation_type()
        for m in (OidcProviderModel, SamlProviderModel, UserPoolModel, UserPoolClientModel, IdentityPoolModel)
    } - set(parsing.get_model_map())
    assert not missing, f"moto does not see the test models for {sorted(missing)}"


def deployable(template: dict[str, Any]) -> dict[str, Any]:
    """A synthesized template as moto can create it: without the CDK bootstrap-version parameter and
    rule (moto cannot read the SSM parameter they name). Nothing else changes."""
    body = copy.deepcopy(template)
    body.get("Parameters", {}).pop("BootstrapVersion", None)
    body.get("Rules", {}).pop("CheckBootstrapVersion", None)
    for section in ("Parameters", "Rules"):
        if section in body and not body[section]:
            del body[section]
    return body
