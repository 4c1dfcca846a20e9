"""Business rules for organisations, clients and the client-credentials grant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import ApiClient, Organisation
from service.auth.schemas import ClientCreate, ClientCreated, ClientOut, OrganisationCreate
from service.auth.secrets import hash_secret, new_client_id, new_secret, verify_secret
from service.common.tx import Tx
from service.errors import Conflict, NotFound, Unauthorized, Unprocessable


def get_organisation(session: Session, code: str) -> Organisation:
    org = session.execute(select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"organisation {code!r} does not exist")
    return org


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.execute(select(Organisation).order_by(Organisation.code)).scalars())


def create_organisation(tx: Tx, data: OrganisationCreate) -> Organisation:
    exists = tx.session.execute(select(Organisation.id).where(Organisation.code == data.code)).first()
    if exists:
        raise Conflict(f"organisation {data.code!r} already exists")
    org = Organisation(code=data.code, name=data.name, kind=data.kind, requires_review=data.requires_review)
    tx.session.add(org)
    tx.session.flush()
    tx.audit("organisation.create", "organisation", org.code, {"after": data.model_dump(mode="json")})
    return org


def client_out(client: ApiClient) -> ClientOut:
    return ClientOut(client_id=client.id, organisation=client.organisation.code, name=client.name,
                     roles=list(client.roles), disabled=client.disabled, created_at=client.created_at)


def create_client(tx: Tx, data: ClientCreate) -> ClientCreated:
    org = tx.session.execute(
        select(Organisation).where(Organisation.code == data.organisation)).scalar_one_or_none()
    if org is None:
        raise Unprocessable(f"organisation {data.organisation!r} does not exist")
    secret = new_secret()
    client = ApiClient(id=new_client_id(), organisation_id=org.id, organisation=org, name=data.name,
                       roles=[str(role) for role in data.roles], secret_hash=hash_secret(secret),
                       disabled=False, created_by=tx.actor.client_id)
    tx.session.add(client)
    tx.session.flush()
    tx.audit("client.create", "client", client.id,
             {"organisation": org.code, "name": data.name, "roles": client.roles})
    return ClientCreated(**client_out(client).model_dump(), client_secret=secret)


def list_clients(session: Session) -> list[ClientOut]:
    clients = session.execute(select(ApiClient).order_by(ApiClient.created_at, ApiClient.id)).scalars()
    return [client_out(client) for client in clients]


def disable_client(tx: Tx, client_id: str) -> ClientOut:
    client = tx.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"client {client_id!r} does not exist")
    if not client.disabled:
        client.disabled = True
        tx.audit("client.disable", "client", client.id, {"organisation": client.organisation.code})
    return client_out(client)


def authenticate_client(session: Session, client_id: str, secret: str) -> ApiClient:
    client = session.get(ApiClient, client_id) if len(client_id) <= 64 else None
    # Always run one argon2 verification, so timing does not reveal which ids exist.
    ok = verify_secret(client.secret_hash if client else None, secret)
    if client is None or not ok or client.disabled:
        raise Unauthorized("invalid client credentials", error="invalid_client")
    return client
