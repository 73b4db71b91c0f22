"""Two people save the same record at the same moment: one save wins, the other is refused with a
clear message, and nothing is silently overwritten."""

import threading

from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_record, make_staff


def test_of_two_simultaneous_saves_one_wins_and_the_other_is_refused(app, api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    record = make_record(supervisee, supervisor)
    url = f"/api/v1/records/{record.id}"
    writers = {"supervisor": api_as(supervisor), "supervisee": api_as(supervisee)}
    start = threading.Barrier(len(writers))
    answers = {}

    def save(name):
        client = app.test_client()
        headers = writers[name].headers()
        start.wait()
        response = client.patch(
            url,
            headers=headers,
            json={"version": 1, "agenda": f"Agenda by {name}"},
        )
        answers[name] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=save, args=(name,)) for name in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(status for status, _ in answers.values())
    assert statuses == [200, 409], answers
    winner = next(name for name, (status, _) in answers.items() if status == 200)
    loser = next(name for name, (status, _) in answers.items() if status == 409)
    assert "Someone else saved changes" in answers[loser][1]["message"]
    db.session.expire_all()
    db.session.refresh(record)
    assert record.agenda == f"Agenda by {winner}"
    assert record.version == 2
