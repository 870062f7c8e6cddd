//! Postings: a published notice's paper copy put up, with a photo, confirmed by someone else.
use super::*;
use sunledger_core::log::fact::sha256_hex;
use sunledger_store::NewPosting;

/// The PNG signature and the start of a header chunk: enough for `photo_type`.
pub(super) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";

pub(super) fn posting(notice: i64, on: i64, photo: &[u8]) -> NewPosting {
    NewPosting {
        notice_id: notice,
        place: "村委会公示栏".into(),
        posted_on: day::format(on),
        posted_by: "村监委会 李某".into(),
        photo: photo.to_vec(),
    }
}

async fn postings(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let p = people(s).await;
    let checker = user(s, "notice.checker").await;
    let n = published(s, &p, V).await;
    let today = day::today(NOW);

    let rec = s
        .record_posting(&posting(n.id, today, PNG), Some(p.drafter), NOW + 60)
        .await
        .unwrap();
    assert_eq!(rec.notice_id, n.id);
    assert_eq!(rec.posted_on, day::format(today));
    assert_eq!(
        (rec.place.as_str(), rec.posted_by.as_str()),
        ("村委会公示栏", "村监委会 李某")
    );
    assert_eq!(rec.photo_type, "image/png");
    assert_eq!(rec.photo_sha256, sha256_hex(PNG));
    assert_eq!(
        (rec.recorded_by, rec.recorded_at, rec.confirmed_by),
        (Some(p.drafter), NOW + 60, None)
    );

    // A JPEG is taken too; anything else is refused naming the photo.
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    let j = s
        .record_posting(&posting(n.id, today, &jpeg), Some(p.drafter), NOW + 60)
        .await
        .unwrap();
    assert_eq!(j.photo_type, "image/jpeg");
    assert_eq!(
        refusal(
            s.record_posting(
                &posting(n.id, today, b"GIF89a\x01\0\x01\0"),
                Some(p.drafter),
                NOW
            )
            .await
        ),
        ("photo", "not_an_image")
    );
    assert_eq!(
        refusal(
            s.record_posting(&posting(n.id, today, b""), Some(p.drafter), NOW)
                .await
        )
        .0,
        "photo"
    );
    // Posted before the notice was published, or in the future: refused naming the day.
    assert_eq!(
        refusal(
            s.record_posting(&posting(n.id, today - 1, PNG), Some(p.drafter), NOW)
                .await
        ),
        ("posted_on", "before_publication")
    );
    assert_eq!(
        refusal(
            s.record_posting(&posting(n.id, today + 1, PNG), Some(p.drafter), NOW)
                .await
        )
        .0,
        "posted_on"
    );
    // A draft is not put up.
    let draft = s
        .draft_notice(
            &new_notice(V, "policy", policy_fields()),
            Some(p.drafter),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        refusal(
            s.record_posting(&posting(draft.id, today, PNG), Some(p.drafter), NOW)
                .await
        ),
        ("notice", "not_published")
    );
    assert!(matches!(
        s.record_posting(&posting(n.id + 1000, today, PNG), Some(p.drafter), NOW)
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Four eyes: the recorder does not confirm; someone else does, once.
    assert_eq!(
        refusal(s.confirm_posting(rec.id, Some(p.drafter), NOW + DAY).await),
        ("actor", "poster_may_not_confirm")
    );
    let c = s
        .confirm_posting(rec.id, Some(checker), NOW + DAY)
        .await
        .unwrap();
    assert_eq!(
        (c.confirmed_by, c.confirmed_at),
        (Some(checker), Some(NOW + DAY))
    );
    assert_eq!(c.confirmed_by_name.as_deref(), Some("notice.checker 姓名"));
    assert!(is_conflict(
        s.confirm_posting(rec.id, Some(p.other), NOW + DAY).await
    ));
    assert!(matches!(
        s.confirm_posting(rec.id + 1000, Some(checker), NOW).await,
        Err(StoreError::NotFound(_))
    ));

    // The photo comes back as it was sent.
    assert_eq!(
        s.posting_photo(rec.id).await.unwrap(),
        Some(("image/png".to_string(), PNG.to_vec()))
    );
    assert_eq!(
        s.posting_photo(j.id).await.unwrap(),
        Some(("image/jpeg".to_string(), jpeg.to_vec()))
    );
    assert_eq!(s.posting_photo(rec.id + 1000).await.unwrap(), None);

    // The notice's record lists its postings, the confirmed one as confirmed.
    let record = s.notice(n.id).await.unwrap().unwrap();
    assert_eq!(record.postings, vec![c, j]);
}
both!(postings_on, postings);
