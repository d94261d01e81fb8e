"""Factories of the network (factory_boy), with traits for the usual variants."""

import factory
from factory.django import DjangoModelFactory

from clauses.network.enums import CarrierKind, CoordinationLevel, PartnerKind
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.territories.models import Department


def _department(code: str = "93") -> Department:
    return Department.objects.get(code=code)


class CoordinationFactory(DjangoModelFactory):
    """A local coordination under the departmental coordination of Seine-Saint-Denis."""

    class Meta:
        model = Coordination
        skip_postgeneration_save = True

    level = CoordinationLevel.LOCAL
    name = factory.Sequence(lambda n: f"Coordination locale de test {n}")
    carrier_name = factory.LazyAttribute(lambda o: o.name)
    department = factory.LazyFunction(_department)
    parent = factory.LazyAttribute(
        lambda o: Coordination.objects.departmental().filter(department=o.department).first()
    )
    email = factory.Sequence(lambda n: f"coordination{n}@demo.clauses.example")

    class Params:
        demo = factory.Trait(is_demo=True)

    @factory.post_generation
    def communes(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)

    @factory.post_generation
    def epcis(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epcis.set(extracted)

    @factory.post_generation
    def epts(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epts.set(extracted)


class FacilitatorStructureFactory(DjangoModelFactory):
    """A structure attached to a departmental coordination (93 by default), no coverage
    unless given: `FacilitatorStructureFactory(communes=[…], epts=[…])`."""

    class Meta:
        model = FacilitatorStructure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure de test {n}")
    carrier_kind = CarrierKind.EMPLOYMENT_HOUSE
    coordination = factory.LazyFunction(
        lambda: Coordination.objects.departmental().get(department__code="93")
    )
    email = factory.Sequence(lambda n: f"structure{n}@demo.clauses.example")
    phone = "01 23 45 67 89"

    class Params:
        inactive = factory.Trait(is_active=False)
        demo = factory.Trait(is_demo=True)

    @factory.post_generation
    def communes(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)

    @factory.post_generation
    def epcis(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epcis.set(extracted)

    @factory.post_generation
    def epts(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epts.set(extracted)

    @factory.post_generation
    def departments(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.departments.set(extracted)


class FacilitatorFactory(DjangoModelFactory):
    """A facilitator; empty coverage (= the structure's) unless given."""

    class Meta:
        model = Facilitator
        skip_postgeneration_save = True

    first_name = factory.Iterator(["Camille", "Karim", "Nadia", "Julien", "Awa", "Thomas"])
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    email = factory.Sequence(lambda n: f"facilitateur{n}@demo.clauses.example")
    phone = "06 12 34 56 78"
    structure = factory.SubFactory(FacilitatorStructureFactory)

    class Params:
        inactive = factory.Trait(is_active=False)
        demo = factory.Trait(is_demo=True)

    @factory.post_generation
    def communes(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)

    @factory.post_generation
    def epcis(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epcis.set(extracted)

    @factory.post_generation
    def epts(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.epts.set(extracted)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire de test {n}")
    kind = PartnerKind.EI
    siret = factory.Sequence(lambda n: f"{99000000000000 + n}")
    department = factory.LazyFunction(_department)

    class Params:
        geiq = factory.Trait(kind=PartnerKind.GEIQ)
        aci = factory.Trait(kind=PartnerKind.ACI)
        prescriber = factory.Trait(kind=PartnerKind.FRANCE_TRAVAIL, siret="")
        demo = factory.Trait(is_demo=True)
