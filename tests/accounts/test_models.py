import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation
from clauses.accounts.validators import luhn_complete, validate_siren, validate_siret
from tests.accounts.factories import MembershipFactory, OrganisationFactory, valid_siret


class TestSiret:
    def test_valid(self):
        validate_siret(valid_siret())
        validate_siret("732 829 320 00074")

    def test_la_poste_is_valid(self):
        # La Poste's establishments do not follow the Luhn key of the SIRET.
        validate_siret("35600000000048")

    def test_wrong_key(self):
        with pytest.raises(ValidationError, match="La clé de contrôle du SIRET est incorrecte."):
            validate_siret("73282932000075")

    def test_wrong_length(self):
        with pytest.raises(ValidationError, match="Le numéro SIRET doit comporter 14 chiffres."):
            validate_siret("7328293200007")

    def test_letters(self):
        with pytest.raises(ValidationError, match="que des chiffres"):
            validate_siret("7328293200007A")


class TestSiren:
    def test_valid(self):
        validate_siren("732829320")

    def test_wrong_key(self):
        with pytest.raises(ValidationError, match="La clé de contrôle du SIREN est incorrecte."):
            validate_siren("732829321")

    def test_wrong_length(self):
        with pytest.raises(ValidationError, match="Le numéro SIREN doit comporter 9 chiffres."):
            validate_siren("73282932")

    def test_letters(self):
        with pytest.raises(ValidationError, match="que des chiffres"):
            validate_siren("73282932O")


def test_luhn_complete_makes_valid_numbers():
    validate_siren(luhn_complete("12345678"))


@pytest.mark.django_db
class TestOrganisation:
    @pytest.mark.parametrize(
        "trait", ["as_buyer", "as_company", "as_coordination", "as_structure", "as_partner"]
    )
    def test_factory_traits(self, trait):
        organisation = OrganisationFactory(**{trait: True})
        organisation.full_clean()
        membership = MembershipFactory(organisation=organisation)
        assert membership.role in organisation.allowed_roles
        assert Membership.objects.active().filter(pk=membership.pk).exists()

    def test_network_link_must_match_kind(self):
        structure_org = OrganisationFactory(as_structure=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.create(
                kind=OrganisationKind.BUYER, name="Ville", structure=structure_org.structure
            )

    def test_coordination_needs_its_link(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.create(kind=OrganisationKind.COORDINATION, name="Coordination")

    def test_role_must_fit_kind(self):
        membership = MembershipFactory.build(
            organisation=OrganisationFactory(as_buyer=True), role=Role.FACILITATOR
        )
        with pytest.raises(ValidationError):
            membership.clean()

    def test_one_active_membership_per_user_and_organisation(self):
        membership = MembershipFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipFactory(user=membership.user, organisation=membership.organisation)
