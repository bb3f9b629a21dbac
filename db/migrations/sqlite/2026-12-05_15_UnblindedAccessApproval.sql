-- Why: a role that sees arms (pharmacist, unblinded statistician) is granted by two people: one admin requests it,
-- a second admin (or the configured unblinded-access approver) approves it. Until then the account reads no arm.
-- AppUser.ArmAccessApprovedUtc: when the user's current role and sites were approved for reading arms; null for a
-- blinded role, and for an unblinded account still awaiting its approval. Accounts with an unblinded role that exist
-- before this version were granted under the rules of their time (their creation is in the audit trail): they keep
-- their access, approved as of their creation.
-- AccessRequest: a requested role and sites for a user (AccessRequestSite), who asked when and why, and who approved
-- when. At most one request per user is pending; a later change of the user's access supersedes it. The user's role
-- and sites (AppUser, UserSite) change only when a request is approved.

ALTER TABLE AppUser ADD ArmAccessApprovedUtc TEXT NULL;

UPDATE AppUser SET ArmAccessApprovedUtc = CreatedUtc WHERE Role IN ('pharmacist', 'unblinded-statistician');

CREATE TABLE AccessRequest (
    Id TEXT NOT NULL CONSTRAINT PK_AccessRequest PRIMARY KEY,
    UserId TEXT NOT NULL CONSTRAINT FK_AccessRequest_AppUser REFERENCES AppUser (Id),
    Role TEXT NOT NULL CONSTRAINT CK_AccessRequest_Role CHECK (Role IN ('pharmacist', 'unblinded-statistician')),
    Status TEXT NOT NULL CONSTRAINT CK_AccessRequest_Status CHECK (Status IN ('pending', 'approved', 'superseded')),
    Reason TEXT NULL,
    RequestedUtc TEXT NOT NULL,
    RequestedBy TEXT NOT NULL,
    DecidedUtc TEXT NULL,
    DecidedBy TEXT NULL,
    CONSTRAINT CK_AccessRequest_Decided CHECK ((Status = 'pending' AND DecidedUtc IS NULL) OR (Status <> 'pending' AND DecidedUtc IS NOT NULL))
);

CREATE UNIQUE INDEX UX_AccessRequest_Pending ON AccessRequest (UserId) WHERE Status = 'pending';

CREATE TABLE AccessRequestSite (
    RequestId TEXT NOT NULL CONSTRAINT FK_AccessRequestSite_AccessRequest REFERENCES AccessRequest (Id),
    SiteCode TEXT NOT NULL CONSTRAINT FK_AccessRequestSite_Site REFERENCES Site (Code),
    CONSTRAINT PK_AccessRequestSite PRIMARY KEY (RequestId, SiteCode)
);
