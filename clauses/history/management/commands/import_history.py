"""Import a structure's history from a file with a saved mapping profile, for the
coordinations that migrate a whole département at once (issue #14.1). Dry run unless
`--wet-run`: prints what would be created, matched and skipped, and every problem by line
and column. The same engine as the wizard (`clauses.history.services`), the same checks,
all or nothing."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.models import Membership, User
from clauses.history import fields, policies, services
from clauses.history.models import MappingProfile
from clauses.network.models import FacilitatorStructure

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Importe l'historique d'une structure facilitatrice (personnes, validations, marchés, "
        "missions, heures) depuis un fichier CSV ou XLSX avec un profil de correspondance "
        "enregistré (simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--structure", required=True, help="Identifiant ou SIRET de la structure."
        )
        parser.add_argument("--profile", required=True, help="Nom du profil de correspondance.")
        parser.add_argument("--file", required=True, help="Chemin du fichier CSV ou XLSX.")
        parser.add_argument(
            "--user",
            help="Adresse de la personne au nom de qui importer (facilitateur·rice de la "
            "structure ou coordination au-dessus) ; par défaut l'auteur·e du profil.",
        )
        parser.add_argument(
            "--wet-run", action="store_true", help="Écrire l'historique (sinon simulation)."
        )

    def handle(self, *args: object, **options: object) -> None:
        structure = self._structure(str(options["structure"]))
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        profile = self._profile(structure, str(options["profile"]))
        actor = self._actor(structure, options.get("user"), profile)
        if not policies.can_use_profile(actor, profile):
            raise CommandError(f"Le profil « {profile.name} » n'est pas utilisable ici.")
        try:
            table = services.read_bytes(
                path.read_bytes()[: services.COMMAND_MAX_BYTES + 1],
                name=path.name,
                max_rows=services.COMMAND_MAX_ROWS,
                max_bytes=services.COMMAND_MAX_BYTES,
            )
        except services.ImportRefused as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        columns, values = profile.columns, profile.values
        self.stdout.write(
            f"{path.name} : {table.row_count} lignes, structure « {structure.name} », "
            f"profil « {profile.name} »."
        )
        try:
            if options["wet_run"]:
                record = services.run_import(
                    actor=actor,
                    structure=structure,
                    table=table,
                    columns=columns,
                    values=values,
                    profile=profile,
                )
                self._counts("Importé", record.counts)
                self.stdout.write(f"Import n° {record.pk} enregistré.")
                return
            preview = services.preview(
                actor=actor, structure=structure, table=table, columns=columns, values=values
            )
        except services.ImportInvalid as exc:
            self._problems(exc.problems)
            raise CommandError("Rien n'a été importé.") from exc
        except (services.ImportConflict, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        if preview.problems:
            self._problems(preview.problems)
            raise CommandError("Rien ne serait importé : corrigez le fichier ou le profil.")
        counts = {
            key: {
                "created": preview.would_create.get(key, 0),
                "matched": preview.would_match.get(key, 0),
                "skipped": preview.would_skip.get(key, 0),
            }
            for key, *_ in preview.entities
        }
        self._counts("Simulation", counts)
        self.stdout.write("Simulation : rien n'a été écrit (ajoutez --wet-run pour importer).")

    def _structure(self, value: str) -> FacilitatorStructure:
        value = value.strip()
        condition = Q(siret=value.replace(" ", ""))
        if value.isdigit() and len(value) < 14:
            condition |= Q(pk=int(value))
        matches = list(FacilitatorStructure.objects.filter(condition)[:2])
        if len(matches) != 1:
            raise CommandError(f"Structure introuvable (ou ambiguë) : {value}")
        return matches[0]

    def _profile(self, structure: FacilitatorStructure, name: str) -> MappingProfile:
        profile = (
            MappingProfile.objects.filter(structure=structure, name=name).first()
            or MappingProfile.objects.filter(name=name, shared_in_department=True)
            .order_by("pk")
            .first()
        )
        if profile is None:
            raise CommandError(f"Profil introuvable : {name}")
        return profile

    def _actor(
        self, structure: FacilitatorStructure, email: object, profile: MappingProfile
    ) -> Actor:
        if email:
            user = User.objects.filter(email__iexact=str(email).strip()).first()
            if user is None:
                raise CommandError(f"Utilisateur·rice introuvable : {email}")
        elif profile.created_by_id:
            user = profile.created_by
        else:
            raise CommandError("Indiquez --user (le profil n'a pas d'auteur·e).")
        memberships = Membership.objects.filter(user=user).select_related("user", "organisation")
        for membership in memberships.order_by("pk"):
            actor = actor_for_membership(membership)
            if policies.can_import(actor, structure):
                return actor
        raise CommandError(
            f"{user} ne peut pas importer l'historique de « {structure.name} » (seuls ses "
            "facilitateur·rices et les coordinations au-dessus d'elle le peuvent)."
        )

    def _counts(self, title: str, counts: dict) -> None:
        for key, label in fields.ENTITIES.items():
            if key in counts:
                c = counts[key]
                self.stdout.write(
                    f"{title} — {label} : {c['created']} créé(s), {c['matched']} déjà "
                    f"présent(s), {c['skipped']} ignoré(s)."
                )

    def _problems(self, problems: list) -> None:
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            where = f"ligne {problem.line}" if problem.line else "fichier"
            if problem.column:
                where += f", colonne « {problem.column} »"
            self.stderr.write(f"{where} : {problem.message}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            self.stderr.write(f"… et {len(problems) - MAX_PROBLEMS_SHOWN} autres problèmes.")
