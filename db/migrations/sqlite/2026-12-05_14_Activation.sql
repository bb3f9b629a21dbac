-- Why: an admin must not be able to act as another user unseen, so an admin no longer receives a new user's working token
-- (nor issues one for anybody else). The admin is given a one-time activation code instead, which the user exchanges for
-- a token of their own (POST /api/v1/tokens). A code is kept only as its SHA-256 hash, works once (UsedUtc, with the
-- token it gave), expires (ExpiresUtc), and stops working when the admin gives the user a new one or revokes their
-- access (ReplacedUtc).

CREATE TABLE ActivationCode (
    Id TEXT NOT NULL CONSTRAINT PK_ActivationCode PRIMARY KEY,
    UserId TEXT NOT NULL CONSTRAINT FK_ActivationCode_AppUser REFERENCES AppUser (Id),
    CodeHash TEXT NOT NULL CONSTRAINT UQ_ActivationCode_CodeHash UNIQUE,
    CreatedUtc TEXT NOT NULL,
    CreatedBy TEXT NOT NULL,
    ExpiresUtc TEXT NOT NULL,
    UsedUtc TEXT NULL,
    TokenId TEXT NULL CONSTRAINT FK_ActivationCode_ApiToken REFERENCES ApiToken (Id),
    ReplacedUtc TEXT NULL,
    CONSTRAINT CK_ActivationCode_UsedWithToken CHECK ((UsedUtc IS NULL AND TokenId IS NULL) OR (UsedUtc IS NOT NULL AND TokenId IS NOT NULL))
);

CREATE INDEX IX_ActivationCode_UserId ON ActivationCode (UserId);
