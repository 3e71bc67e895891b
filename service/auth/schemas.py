from marshmallow import Schema, fields, validate

from models.user import ROLES


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(dump_default="Bearer")
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    expires_in = fields.Integer(metadata={"description": "有效期（秒）"})
