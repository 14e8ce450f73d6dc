"""Files on records: limits, access through the record, change log on the record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from guanxi.core.models import Attachment, ObjectChange
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def gadget(db):
    with as_system():
        return Gadget.objects.create(name="扫码枪", code="G-1")


def upload(client, gadget, name="合同.pdf", content=b"%PDF-1.4 demo", **extra):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Gadget).pk
    return client.post(
        f"/files/{ct}/{gadget.pk}/upload/", {"file": SimpleUploadedFile(name, content)}, **extra
    )


def test_upload_download_delete_with_history(admin_client, gadget):
    response = upload(admin_client, gadget)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.size, attachment.mime_type) == ("合同.pdf", 13, "application/pdf")
    file_changes = ObjectChange.objects.filter(changed_object_type__model="attachment")
    logged = file_changes.get(changed_object_id=attachment.pk, action="create")
    assert (logged.related_object_id, logged.object_repr) == (gadget.pk, "合同.pdf")

    page = admin_client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert "files-panel" in page and "合同.pdf" in page
    download = admin_client.get(f"/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    assert "attachment;" in download["Content-Disposition"]

    partial = admin_client.post(f"/files/{attachment.pk}/delete/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "files-panel" in partial.content.decode()
    assert not Attachment.objects.exists()
    assert file_changes.filter(changed_object_id=attachment.pk, action="delete").count() == 1


def test_refused_types_and_sizes_save_nothing(admin_client, gadget):
    upload(admin_client, gadget, name="run.exe", content=b"MZ")
    with override_settings(ATTACHMENT_MAX_MB=1):
        upload(admin_client, gadget, name="big.pdf", content=b"x" * (1024 * 1024 + 1))
    upload(admin_client, gadget, name="empty.txt", content=b"")
    assert not Attachment.objects.exists()
    messages = [str(m) for m in admin_client.get("/").context["messages"]]
    assert any("exe" in m for m in messages) and any("1 MB" in m for m in messages)


def test_access_follows_the_record(client, make_user, gadget, admin_client):
    upload(admin_client, gadget)
    attachment = Attachment.objects.get()
    viewer = make_user("viewer", perms=["testapp.view_gadget"])
    client.force_login(viewer)
    assert client.get(f"/files/{attachment.pk}/").status_code == 200
    upload(client, gadget, name="mine.pdf")  # may view, may not change: refused
    assert Attachment.objects.count() == 1
    assert client.post(f"/files/{attachment.pk}/delete/").status_code == 302
    assert Attachment.objects.count() == 1

    client.force_login(make_user("stranger"))
    assert client.get(f"/files/{attachment.pk}/").status_code == 404
    assert client.post(f"/files/{attachment.pk}/delete/").status_code == 404
