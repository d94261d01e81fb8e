"""Choices of the follow-up app: English values, French labels (docs/domain-rules.md §3–§5)."""

from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female", "Femme"
    MALE = "male", "Homme"
    UNSPECIFIED = "unspecified", "Non renseigné"


class PrescriberKind(models.TextChoices):
    """Who directed the person (§3.2: "Pôle emploi ou un prescripteur du service public de
    l'emploi ou … les facilitateurs")."""

    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    PLIE = "plie", "PLIE"
    SIAE = "siae", "Structure d'insertion (SIAE)"
    GEIQ = "geiq", "GEIQ"
    EA_ESAT = "ea_esat", "EA ou ESAT"
    MDPH = "mdph", "MDPH"
    FACILITATOR = "facilitator", "Facilitateur·rice"
    COMPANY = "company", "Entreprise (candidature directe)"
    OTHER = "other", "Autre"


class CriterionGroup(models.TextChoices):
    CLAUSE_PUBLIC = "clause_public", "Public éligible à la clause"
    IAE_LEVEL_1 = "iae_level_1", "Critère IAE de niveau 1"
    IAE_LEVEL_2 = "iae_level_2", "Critère IAE de niveau 2"


class ProofKind(models.TextChoices):
    """The kind of document seen by the facilitator (never the document itself)."""

    FRANCE_TRAVAIL_STATUS = "france_travail_status", "Avis de situation France Travail"
    BENEFITS_CERTIFICATE = (
        "benefits_certificate",
        "Attestation de droits (CAF, MSA, France Travail)",
    )
    DISABILITY_DECISION = "disability_decision", "Décision de la MDPH (RQTH) ou titre d'invalidité"
    IDENTITY_DOCUMENT = "identity_document", "Pièce d'identité"
    QUALIFICATION_RECORD = (
        "qualification_record",
        "Attestation de niveau de formation ou de scolarité",
    )
    RESIDENCE_PROOF = "residence_proof", "Justificatif de domicile"
    EMPLOYMENT_CONTRACT = (
        "employment_contract",
        "Contrat de travail (SIAE, GEIQ, EA, ESAT, EPIDE, E2C)",
    )
    PASS_IAE = "pass_iae", "PASS IAE en cours de validité"
    PRESCRIBER_OPINION = "prescriber_opinion", "Avis motivé d'un prescripteur"
    OTHER = "other", "Autre justificatif"


class FulfilmentModality(models.TextChoices):
    """How the contractor delivers the hours (docs/domain-rules.md §4.1 and §4.2)."""

    DIRECT_CDD = "direct_cdd", "Embauche directe en CDD"
    DIRECT_CDI = "direct_cdi", "Embauche directe en CDI"
    APPRENTICESHIP = "apprenticeship", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Contrat de professionnalisation"
    ETTI = "etti", "Mise à disposition par une ETTI"
    ETT = "ett", "Mise à disposition par une entreprise de travail temporaire"
    AI = "ai", "Mise à disposition par une association intermédiaire"
    GEIQ = "geiq", "Mise à disposition par un GEIQ"
    SUBCONTRACT_SIAE = "subcontract_siae", "Sous-traitance à une SIAE"
    COCONTRACT_SIAE = "cocontract_siae", "Cotraitance avec une SIAE"
    SUBCONTRACT_EA_ESAT = "subcontract_ea_esat", "Sous-traitance à une EA ou un ESAT"
    TRAINING = "training", "Formation"


class ContractType(models.TextChoices):
    CDD = "cdd", "CDD"
    CDI = "cdi", "CDI"
    SITE_CONTRACT = "site_contract", "Contrat de chantier"
    CDDI = "cddi", "CDD d'insertion (CDDI)"
    TEMPORARY = "temporary", "Mission d'intérim"
    SECONDMENT = "secondment", "Mise à disposition"
    APPRENTICESHIP = "apprenticeship", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Contrat de professionnalisation"
    TRAINING = "training", "Formation"
    OTHER = "other", "Autre"


class OutcomeMoment(models.TextChoices):
    END_OF_ASSIGNMENT = "end_of_assignment", "À la fin du contrat"
    SIX_MONTHS = "six_months", "À six mois"


class OutcomeCategory(models.TextChoices):
    """IAE exit categories reused for clause participants (§5.1, worked example W12)."""

    LASTING_JOB = "lasting_job", "Emploi durable"
    TRANSITION_JOB = "transition_job", "Emploi de transition"
    POSITIVE_EXIT = "positive_exit", "Sortie positive"
    OTHER = "other", "Autre sortie"


class ExitSituation(models.TextChoices):
    """The facts of an exit, from which `rules.outcome_category` derives the category."""

    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    TEMPORARY = "temporary", "Intérim"
    SUBSIDISED_CONTRACT = "subsidised_contract", "Contrat aidé chez un employeur ordinaire"
    CIVIL_SERVICE = "civil_service", "Titularisation dans la fonction publique"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    QUALIFYING_TRAINING = "qualifying_training", "Formation qualifiante ou pré-qualifiante"
    OTHER_SIAE = "other_siae", "Embauche par une autre SIAE"
    JOBSEEKER = "jobseeker", "Demandeur·se d'emploi"
    INACTIVE = "inactive", "Inactivité"
    UNKNOWN = "unknown", "Situation inconnue"


class PositionStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Diffusé aux partenaires"
    FILLED = "filled", "Pourvu"
    CLOSED = "closed", "Fermé"


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposé·e"
    PRECHECKED = "prechecked", "Pré-vérifié·e par le facilitateur"
    HIRED = "hired", "Recruté·e"
    DECLINED = "declined", "Non retenu·e"


class PrecheckResult(models.TextChoices):
    LIKELY_ELIGIBLE = "likely_eligible", "Éligible a priori"
    TO_VERIFY = "to_verify", "À vérifier (justificatifs manquants)"
    NOT_ELIGIBLE = "not_eligible", "Non éligible"


class EmployerKind(models.TextChoices):
    """The structure that employs a person "eligible by status" (CCAG 2021 art. 16.1.1.1)."""

    EI = "ei", "Entreprise d'insertion (EI)"
    ACI = "aci", "Atelier et chantier d'insertion (ACI)"
    AI = "ai", "Association intermédiaire (AI)"
    ETTI = "etti", "Entreprise de travail temporaire d'insertion (ETTI)"
    EITI = "eiti", "Entreprise d'insertion par le travail indépendant (EITI)"
    GEIQ = "geiq", "GEIQ"
    EA = "ea", "Entreprise adaptée (EA)"
    EATT = "eatt", "Entreprise adaptée de travail temporaire (EATT)"
    ESAT = "esat", "ESAT"
    EPIDE = "epide", "EPIDE"
    E2C = "e2c", "École de la deuxième chance (E2C)"
    REGIE = "regie", "Régie de quartier ou de territoire"


class Benefit(models.TextChoices):
    RSA = "rsa", "RSA"
    ASS = "ass", "Allocation de solidarité spécifique (ASS)"
    AAH = "aah", "Allocation aux adultes handicapés (AAH)"
    AI = "ai", "Allocation d'insertion (AI)"
    INVALIDITY = "invalidity", "Allocation ou pension d'invalidité"


class WithdrawalKind(models.TextChoices):
    """Why a validation is withdrawn, which decides the hours already worked (docs/
    domain-rules.md §3.2, « Withdrawing a validation »)."""

    ENDED = "ended", "La personne n'est plus éligible à partir d'aujourd'hui"
    ERROR = "error", "La validation était une erreur ou reposait sur un justificatif frauduleux"
