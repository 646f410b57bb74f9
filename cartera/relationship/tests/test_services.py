"""Writes to interactions, commitments, referrals and feedback: audited, locked when edited, and
refused for accounts the actor may not change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cartera.accounts.tests.factories import ContactFactory
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.relationship.models import Commitment, Feedback, Interaction, Referral
from cartera.relationship.services import (
    commitment_create,
    commitment_resolve,
    feedback_create,
    feedback_update,
    interaction_log,
    referral_create,
)
from cartera.relationship.tests.factories import CommitmentFactory, FeedbackFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def counts(model) -> tuple[int, int]:
    return model.objects.count(), AuditRecord.objects.count()


# --- interactions --------------------------------------------------------------------------------


def test_an_interaction_is_logged_with_its_contacts_and_audited(world):
    buyer = ContactFactory(account=world.in_portfolio)
    when = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # still 2 March in Santiago (20:30)

    interaction = interaction_log(
        actor=world.executive,
        account=world.in_portfolio,
        kind="visit",
        occurred_at=when,
        summary="Visita a bodega",
        contacts=[buyer],
    )

    interaction.refresh_from_db()
    assert (interaction.user, interaction.kind, interaction.occurred_at) == (world.executive, "visit", when)
    assert interaction.occurred_on == dt.date(2026, 3, 2)
    assert list(interaction.contacts.all()) == [buyer]
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.executive,
        "create",
        "relationship.interaction",
        str(interaction.pk),
    )
    assert (record.changes["kind"], record.changes["contacts"]) == ("visit", [buyer.pk])


def test_an_interaction_logged_by_the_system_has_no_user_unless_given(world):
    interaction = interaction_log(actor=None, account=world.in_portfolio, kind="email", user=world.specialist)

    assert interaction.user == world.specialist
    assert abs(interaction.occurred_at - timezone.now()) < dt.timedelta(minutes=1)


def test_a_contact_of_another_account_is_refused_and_nothing_is_logged(world):
    stranger = ContactFactory(account=world.elsewhere)

    with pytest.raises(ValidationError) as caught:
        interaction_log(actor=world.manager, account=world.in_portfolio, kind="call", contacts=[stranger])

    assert caught.value.message_dict == {"contacts": ["Every contact must belong to the account."]}
    assert counts(Interaction) == (0, 0)


def test_an_unknown_kind_of_interaction_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        interaction_log(actor=world.manager, account=world.in_portfolio, kind="telepathy")

    assert set(caught.value.message_dict) == {"kind"}
    assert counts(Interaction) == (0, 0)


@pytest.mark.parametrize(("actor", "account"), [("executive", "elsewhere"), ("support", "in_portfolio")])
def test_an_interaction_on_an_account_the_actor_cannot_edit_is_refused(world, actor, account):
    with pytest.raises(PermissionDeniedError):
        interaction_log(actor=getattr(world, actor), account=getattr(world, account), kind="call")

    assert counts(Interaction) == (0, 0)


# --- commitments ---------------------------------------------------------------------------------


def test_a_commitment_is_recorded_open_and_audited(world):
    buyer = ContactFactory(account=world.in_portfolio)

    commitment = commitment_create(
        actor=world.executive,
        account=world.in_portfolio,
        description="Enviar cotización de taladros",
        due_date=dt.date(2026, 4, 1),
        promised_to=buyer,
    )

    assert (commitment.status, commitment.promised_by, commitment.promised_to) == (
        "open",
        world.executive,
        buyer,
    )
    record = AuditRecord.objects.get()
    assert (record.action, record.object_type, record.changes["due_date"]) == (
        "create",
        "relationship.commitment",
        "2026-04-01",
    )


def test_a_commitment_to_a_person_at_another_account_is_refused(world):
    stranger = ContactFactory(account=world.elsewhere)

    with pytest.raises(ValidationError) as caught:
        commitment_create(
            actor=world.manager,
            account=world.in_portfolio,
            description="Llamar",
            due_date=dt.date(2026, 4, 1),
            promised_to=stranger,
        )

    assert set(caught.value.message_dict) == {"promised_to"}
    assert counts(Commitment) == (0, 0)


def test_resolving_a_commitment_audits_its_outcome(world):
    commitment = CommitmentFactory(account=world.in_portfolio)

    commitment_resolve(
        actor=world.executive,
        commitment=commitment,
        status="kept",
        expected_version=1,
        resolved_on=dt.date(2026, 3, 30),
    )

    commitment.refresh_from_db()
    assert (commitment.status, commitment.resolved_on, commitment.version) == (
        "kept",
        dt.date(2026, 3, 30),
        2,
    )
    assert AuditRecord.objects.get().changes == {
        "status": ["open", "kept"],
        "resolved_on": [None, "2026-03-30"],
    }


def test_a_commitment_resolved_without_a_date_is_resolved_today(world):
    commitment = CommitmentFactory(account=world.in_portfolio)

    commitment_resolve(actor=world.executive, commitment=commitment, status="broken", expected_version=1)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.resolved_on) == ("broken", timezone.localdate())


def test_a_commitment_cannot_be_resolved_as_open(world):
    commitment = CommitmentFactory(account=world.in_portfolio, status="open")

    with pytest.raises(ValidationError):
        commitment_resolve(actor=world.manager, commitment=commitment, status="open", expected_version=1)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("open", 1)
    assert AuditRecord.objects.count() == 0


def test_the_second_of_two_resolutions_is_refused(world):
    commitment = CommitmentFactory(account=world.in_portfolio)
    first, second = Commitment.objects.get(pk=commitment.pk), Commitment.objects.get(pk=commitment.pk)
    commitment_resolve(actor=world.executive, commitment=first, status="kept", expected_version=1)

    with pytest.raises(ConflictError):
        commitment_resolve(actor=world.manager, commitment=second, status="cancelled", expected_version=1)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("kept", 2)
    assert AuditRecord.objects.count() == 1


def test_a_specialist_may_not_resolve_a_commitment_of_an_account_not_on_their_team(world):
    commitment = CommitmentFactory(account=world.in_portfolio)

    with pytest.raises(PermissionDeniedError):
        commitment_resolve(actor=world.specialist, commitment=commitment, status="kept", expected_version=1)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("open", 1)


# --- referrals -----------------------------------------------------------------------------------


def test_a_referral_is_recorded_and_audited(world):
    referral = referral_create(
        actor=world.executive,
        account=world.in_portfolio,
        date=dt.date(2026, 5, 4),
        kind="referral",
        referred_company="Distribuidora Sur Ltda.",
        referred_account=world.on_team,
    )

    assert (referral.kind, referral.referred_account) == ("referral", world.on_team)
    record = AuditRecord.objects.get()
    assert (record.object_type, record.changes["referred_account_id"]) == (
        "relationship.referral",
        world.on_team.pk,
    )


def test_an_account_cannot_refer_itself(world):
    with pytest.raises(ValidationError) as caught:
        referral_create(
            actor=world.manager,
            account=world.in_portfolio,
            date=dt.date(2026, 5, 4),
            kind="referral",
            referred_account=world.in_portfolio,
        )

    assert set(caught.value.message_dict) == {"referred_account"}
    assert counts(Referral) == (0, 0)


def test_a_referral_of_an_unknown_kind_is_refused(world):
    with pytest.raises(ValidationError):
        referral_create(
            actor=world.manager, account=world.in_portfolio, date=dt.date(2026, 5, 4), kind="gossip"
        )

    assert counts(Referral) == (0, 0)


# --- feedback ------------------------------------------------------------------------------------


def test_a_complaint_is_recorded_and_audited(world):
    buyer = ContactFactory(account=world.in_portfolio)

    feedback = feedback_create(
        actor=world.executive,
        account=world.in_portfolio,
        kind="complaint",
        date=dt.date(2026, 5, 4),
        contact=buyer,
        category="Despacho",
        description="Llegó con dos días de atraso",
    )

    assert (feedback.status, feedback.contact, feedback.version) == ("open", buyer, 1)
    record = AuditRecord.objects.get()
    assert (record.actor, record.object_type, record.changes["category"]) == (
        world.executive,
        "relationship.feedback",
        "Despacho",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "survey", "survey_type": "nps"}, "__all__"),  # a survey needs a score
        ({"kind": "survey", "survey_type": "nps", "score": 11}, "score"),
        ({"kind": "survey", "survey_type": "csat", "score": 0}, "score"),
        ({"kind": "survey", "survey_type": "csat", "score": 9}, "score"),
        ({"kind": "rant"}, "kind"),
    ],
)
def test_invalid_feedback_is_refused_and_nothing_is_recorded(world, fields, field):
    data = {"kind": "complaint", **fields}

    with pytest.raises(ValidationError) as caught:
        feedback_create(actor=world.manager, account=world.in_portfolio, date=dt.date(2026, 5, 4), **data)

    assert field in caught.value.message_dict
    assert counts(Feedback) == (0, 0)


def test_valid_survey_scores_are_recorded(world):
    nps = feedback_create(
        actor=None,
        account=world.in_portfolio,
        kind="survey",
        date=dt.date(2026, 5, 4),
        survey_type="nps",
        score=0,
    )
    csat = feedback_create(
        actor=None,
        account=world.in_portfolio,
        kind="survey",
        date=dt.date(2026, 5, 4),
        survey_type="csat",
        score=5,
    )

    assert (nps.score, csat.score) == (0, 5)


def test_feedback_from_a_person_at_another_account_is_refused(world):
    stranger = ContactFactory(account=world.elsewhere)

    with pytest.raises(ValidationError) as caught:
        feedback_create(
            actor=world.manager,
            account=world.in_portfolio,
            kind="praise",
            date=dt.date(2026, 5, 4),
            contact=stranger,
        )

    assert set(caught.value.message_dict) == {"contact"}
    assert counts(Feedback) == (0, 0)


def test_feedback_create_refuses_fields_it_does_not_know(world):
    with pytest.raises(ValueError, match="version"):
        feedback_create(
            actor=world.manager,
            account=world.in_portfolio,
            kind="praise",
            date=dt.date(2026, 5, 4),
            version=7,
        )

    assert counts(Feedback) == (0, 0)


def test_feedback_update_records_the_root_cause_and_closes_it(world):
    feedback = FeedbackFactory(account=world.in_portfolio)

    feedback_update(
        actor=world.executive,
        feedback=feedback,
        expected_version=1,
        root_cause="Transportista sin cupo",
        corrective_action="Segundo transportista contratado",
        status="closed",
    )

    feedback.refresh_from_db()
    assert (feedback.status, feedback.version) == ("closed", 2)
    assert AuditRecord.objects.get().changes == {
        "root_cause": ["", "Transportista sin cupo"],
        "corrective_action": ["", "Segundo transportista contratado"],
        "status": ["open", "closed"],
    }


def test_the_second_of_two_feedback_editors_is_refused(world):
    feedback = FeedbackFactory(account=world.in_portfolio)
    first, second = Feedback.objects.get(pk=feedback.pk), Feedback.objects.get(pk=feedback.pk)
    feedback_update(actor=world.executive, feedback=first, expected_version=1, status="in_progress")

    with pytest.raises(ConflictError):
        feedback_update(actor=world.manager, feedback=second, expected_version=1, status="closed")

    feedback.refresh_from_db()
    assert (feedback.status, feedback.version) == ("in_progress", 2)


def test_a_support_agent_may_not_update_feedback(world):
    feedback = FeedbackFactory(account=world.in_portfolio)

    with pytest.raises(PermissionDeniedError):
        feedback_update(actor=world.support, feedback=feedback, expected_version=1, status="closed")

    feedback.refresh_from_db()
    assert (feedback.status, feedback.version) == ("open", 1)
    assert AuditRecord.objects.count() == 0
