"""Names of audited actions, as stored in AuditEvent.action."""

LOGIN = "login"
LOGOUT = "logout"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED_OUT = "login_locked_out"
LOGIN_UNLOCKED = "login_unlocked"
TWO_FACTOR_ENROL = "two_factor_enrol"
TWO_FACTOR_VERIFY = "two_factor_verify"
TWO_FACTOR_FAILED = "two_factor_failed"
TWO_FACTOR_RECOVERY_CODES = "two_factor_recovery_codes"
TWO_FACTOR_DISABLE = "two_factor_disable"
TWO_FACTOR_RESET = "two_factor_reset"
# Action names, not passwords (the security linters go by the word).
PASSWORD_RESET_REQUEST = "password_reset_request"  # noqa: S105  # nosec B105
PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105
PASSWORD_SET = "password_set"  # noqa: S105  # nosec B105
ACCOUNT_INVITE = "account_invite"

DECISION_CREATE = "decision_create"
DECISION_STEP_SAVE = "decision_step_save"
DECISION_SUBMIT = "decision_submit"
DECISION_AMEND_START = "decision_amend_start"
DECISION_VIEW = "decision_view"
DECISION_DRAFT_DISCARD = "decision_draft_discard"
DECISION_AMEND_CANCEL = "decision_amend_cancel"
DECISION_DRAFT_RESHAPE = "decision_draft_reshape"
DECISION_FOLLOW_UP_DONE = "decision_follow_up_done"  # the one-click record before follow-ups were forms
DECISION_FOLLOW_UP_RECORD = "decision_follow_up_record"
PERSON_CREATE = "person_create"

REVIEW_APPROVE = "review_approve"
REVIEW_RETURN = "review_return"

AUDIT_LOG_VIEW = "audit_log_view"
AUDIT_LOG_EXPORT = "audit_log_export"
PDF_EXPORT = "pdf_export"
BULK_EXPORT_START = "bulk_export_start"
BULK_EXPORT_DOWNLOAD = "bulk_export_download"
SUBJECT_ACCESS_START = "subject_access_start"
SUBJECT_ACCESS_DOWNLOAD = "subject_access_download"
SUBJECT_ACCESS_EXPIRE = "subject_access_expire"
VERIFY_CODE = "verify_code"
ORG_SETTINGS_CHANGE = "org_settings_change"
CHAIN_VERIFY = "chain_verify"
EXPORT_FILE_EXPIRED = "export_file_expired"
HOUSEKEEPING_SESSIONS = "housekeeping_sessions"
HOUSEKEEPING_EXPORT_FILES = "housekeeping_export_files"
HOUSEKEEPING_CLIENT_DATA = "housekeeping_client_data"
HOUSEKEEPING_DRAFTS = "housekeeping_drafts"
DRAFT_DISPOSE = "draft_dispose"

LEGAL_HOLD_PLACE = "legal_hold_place"
LEGAL_HOLD_LIFT = "legal_hold_lift"
DISPOSAL_PROPOSE = "disposal_propose"
DISPOSAL_CANCEL = "disposal_cancel"
DISPOSAL_APPROVE = "disposal_approve"

# Every change to who may do what, by any route (accounts/audit_changes.py).
USER_CREATE = "user_create"
USER_CHANGE = "user_change"
USER_DELETE = "user_delete"
USER_PERMISSIONS_CHANGE = "user_permissions_change"
MEMBERSHIP_CREATE = "membership_create"
MEMBERSHIP_CHANGE = "membership_change"
MEMBERSHIP_DELETE = "membership_delete"
ORGANISATION_CREATE = "organisation_create"
ORGANISATION_CHANGE = "organisation_change"
ORGANISATION_DELETE = "organisation_delete"
TEAM_CREATE = "team_create"
TEAM_CHANGE = "team_change"
TEAM_DELETE = "team_delete"

LABELS = {
    LOGIN: "Signed in",
    LOGOUT: "Signed out",
    LOGIN_FAILED: "Failed sign-in",
    LOGIN_LOCKED_OUT: "Locked out after failed sign-ins",
    LOGIN_UNLOCKED: "Unlocked sign-in",
    TWO_FACTOR_ENROL: "Set up two-step verification",
    TWO_FACTOR_VERIFY: "Passed two-step verification",
    TWO_FACTOR_FAILED: "Failed two-step verification",
    TWO_FACTOR_RECOVERY_CODES: "Made new recovery codes",
    TWO_FACTOR_DISABLE: "Turned off two-step verification",
    TWO_FACTOR_RESET: "Reset two-step verification",
    PASSWORD_RESET_REQUEST: "Asked for a password reset link",
    PASSWORD_RESET: "Reset their password",
    PASSWORD_SET: "Set their password for a new account",
    ACCOUNT_INVITE: "Sent a new account a set-your-password link",
    DECISION_CREATE: "Started a decision",
    DECISION_STEP_SAVE: "Saved an answer",
    DECISION_SUBMIT: "Submitted a decision",
    DECISION_AMEND_START: "Started an amendment",
    DECISION_VIEW: "Viewed a decision",
    DECISION_DRAFT_DISCARD: "Discarded a draft",
    DECISION_AMEND_CANCEL: "Cancelled an amendment",
    DECISION_DRAFT_RESHAPE: "Moved a draft to the current questions",
    DECISION_FOLLOW_UP_DONE: "Recorded that the family was told",
    DECISION_FOLLOW_UP_RECORD: "Recorded a follow-up",
    PERSON_CREATE: "Added a person to the organisation's records",
    REVIEW_APPROVE: "Signed off a decision",
    REVIEW_RETURN: "Returned a decision",
    AUDIT_LOG_VIEW: "Viewed the audit log",
    AUDIT_LOG_EXPORT: "Exported the audit log",
    PDF_EXPORT: "Exported a PDF",
    BULK_EXPORT_START: "Started a bulk export",
    BULK_EXPORT_DOWNLOAD: "Downloaded a bulk export",
    SUBJECT_ACCESS_START: "Started a subject access bundle",
    SUBJECT_ACCESS_DOWNLOAD: "Downloaded a subject access bundle",
    SUBJECT_ACCESS_EXPIRE: "A subject access bundle's file was deleted when its download time ended",
    VERIFY_CODE: "Checked a verification code",
    ORG_SETTINGS_CHANGE: "Changed organisation settings",
    CHAIN_VERIFY: "Checked the audit trail",
    EXPORT_FILE_EXPIRED: "Deleted an expired export file",
    HOUSEKEEPING_SESSIONS: "Removed expired sign-in sessions",
    HOUSEKEEPING_EXPORT_FILES: "Deleted expired export files",
    HOUSEKEEPING_CLIENT_DATA: "Cleared old addresses and browsers from the audit trail",
    HOUSEKEEPING_DRAFTS: "Purged old discarded drafts and people no record names",
    DRAFT_DISPOSE: "Disposed of an abandoned draft",
    LEGAL_HOLD_PLACE: "Placed a legal hold",
    LEGAL_HOLD_LIFT: "Lifted a legal hold",
    DISPOSAL_PROPOSE: "Proposed disposing of a record",
    DISPOSAL_CANCEL: "Cancelled a proposed disposal",
    DISPOSAL_APPROVE: "Approved disposal: the record's personal content was removed",
    USER_CREATE: "Created an account",
    USER_CHANGE: "Changed an account",
    USER_DELETE: "Deleted an account",
    USER_PERMISSIONS_CHANGE: "Changed an account's permissions or groups",
    MEMBERSHIP_CREATE: "Gave an account a role",
    MEMBERSHIP_CHANGE: "Changed an account's role or team",
    MEMBERSHIP_DELETE: "Removed an account's role",
    ORGANISATION_CREATE: "Created an organisation",
    ORGANISATION_CHANGE: "Changed an organisation",
    ORGANISATION_DELETE: "Deleted an organisation",
    TEAM_CREATE: "Created a team",
    TEAM_CHANGE: "Changed a team",
    TEAM_DELETE: "Deleted a team",
}
