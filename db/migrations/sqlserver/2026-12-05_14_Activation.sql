-- Why: an admin must not be able to act as another user unseen, so an admin no longer receives a new user's working token
-- (nor issues one for anybody else). The admin is given a one-time activation code instead, which the user exchanges for
-- a token of their own (POST /api/v1/tokens). A code is kept only as its SHA-256 hash, works once (UsedUtc, with the
-- token it gave), expires (ExpiresUtc), and stops working when the admin gives the user a new one or revokes their
-- access (ReplacedUtc).

CREATE TABLE ActivationCode (
    Id UNIQUEIDENTIFIER NOT NULL CONSTRAINT PK_ActivationCode PRIMARY KEY,
    UserId UNIQUEIDENTIFIER NOT NULL CONSTRAINT FK_ActivationCode_AppUser REFERENCES AppUser (Id),
    CodeHash CHAR(64) NOT NULL CONSTRAINT UQ_ActivationCode_CodeHash UNIQUE,
    CreatedUtc DATETIME2(7) NOT NULL,
    CreatedBy UNIQUEIDENTIFIER NOT NULL,
    ExpiresUtc DATETIME2(7) NOT NULL,
    UsedUtc DATETIME2(7) NULL,
    TokenId UNIQUEIDENTIFIER NULL CONSTRAINT FK_ActivationCode_ApiToken REFERENCES ApiToken (Id),
    ReplacedUtc DATETIME2(7) NULL,
    CONSTRAINT CK_ActivationCode_UsedWithToken CHECK ((UsedUtc IS NULL AND TokenId IS NULL) OR (UsedUtc IS NOT NULL AND TokenId IS NOT NULL))
);

CREATE INDEX IX_ActivationCode_UserId ON ActivationCode (UserId);
