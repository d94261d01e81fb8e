from django.db import models


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", "Acheteur public"
    FACILITATOR_STRUCTURE = "facilitator_structure", "Structure facilitatrice"
    COORDINATION = "coordination", "Coordination"
    COMPANY = "company", "Entreprise"
    PARTNER = "partner", "Partenaire emploi-insertion"


class BuyerCategory(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI ou EPT"
    DEPARTMENT = "departement", "Département"
    REGION = "region", "Région"
    STATE = "state", "Service de l'État"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    HOSPITAL = "hospital", "Établissement de santé"
    OTHER_PUBLIC = "other_public", "Autre organisme public"


class Role(models.TextChoices):
    BUYER_AGENT = "buyer_agent", "Agent acheteur"
    COMPANY_CONTACT = "company_contact", "Contact entreprise"
    FACILITATOR = "facilitator", "Facilitateur·rice"
    COORDINATOR = "coordinator", "Coordinateur·rice"
    PARTNER = "partner", "Partenaire"
    ADMIN = "admin", "Administrateur·rice de la plateforme"


# Roles that must use two-factor authentication: those that may open personal data of
# participants (facilitators, coordinators of the territory) and the platform administrators,
# who hold the keys of every organisation (they still see no participant: DESIGN.md).
ROLES_REQUIRING_2FA = frozenset({Role.FACILITATOR, Role.COORDINATOR, Role.ADMIN})

# Which role fits which kind of organisation.
ROLES_BY_ORGANISATION_KIND = {
    OrganisationKind.BUYER: {Role.BUYER_AGENT},
    OrganisationKind.COMPANY: {Role.COMPANY_CONTACT},
    OrganisationKind.FACILITATOR_STRUCTURE: {Role.FACILITATOR},
    OrganisationKind.COORDINATION: {Role.COORDINATOR, Role.ADMIN},
    OrganisationKind.PARTNER: {Role.PARTNER},
}


class LoginEventReason(models.TextChoices):
    """Why a login attempt succeeded or failed (kept in the login journal)."""

    SUCCESS = "success", "Connexion réussie"
    BAD_CREDENTIALS = "bad_credentials", "Adresse ou mot de passe incorrect"
    INACTIVE = "inactive", "Compte désactivé"
    THROTTLED = "throttled", "Trop de tentatives : connexion bloquée"
    OTP_FAILED = "otp_failed", "Code de double authentification incorrect"
    OTP_SUCCESS = "otp_success", "Double authentification réussie"
    RECOVERY_CODE_USED = "recovery_code_used", "Code de secours utilisé"
    PASSWORD_RESET = "password_reset", "Réinitialisation du mot de passe demandée"
    TOKEN_REFUSED = "token_refused", "Jeton d'API refusé"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REVOKED = "revoked", "Révoquée"
    EXPIRED = "expired", "Expirée"


class AuditAction(models.TextChoices):
    VIEW = "view", "Consultation"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    EXPORT = "export", "Export"
    LOGIN = "login", "Connexion"
    LOGOUT = "logout", "Déconnexion"
    CONFIRM = "confirm", "Confirmation"
    REVOKE = "revoke", "Révocation"
