//! `registrationQuote`: what a registration costs, computed by
//! `billing::price` before the family confirms (and what `register` then
//! charges across its bookings).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use infra::entity::class_series;
use kernel::policy::Action;

use crate::context::app;
use crate::error::{Code, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::schema::authorize;
use crate::schema::booking::{Money, RegistrationType};

/// A registration's price, and how it was reached.
#[derive(SimpleObject)]
pub struct RegistrationQuote {
    /// Per seat.
    pub per_seat: Money,
    /// Seats (the student and guests).
    pub seats: i32,
    /// What the family pays.
    pub total: Money,
    /// How it was computed ("7 of 10 sessions of the course, prorated").
    pub basis: String,
}

#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
    /// What registering for a series costs now: per session, the full
    /// course (prorated by the sessions left when joining late), drop-in
    /// sessions, times the seats. A free class quotes zero.
    async fn registration_quote(
        &self,
        ctx: &Context<'_>,
        series_id: ID,
        r#type: RegistrationType,
        #[graphql(default)] session_ids: Vec<ID>,
        #[graphql(default = 1)] seats: i32,
    ) -> Result<RegistrationQuote> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        if !(1..=50).contains(&seats) {
            return Err(bad_input(
                "seats",
                Code::Invalid,
                "book between 1 and 50 seats",
            ));
        }
        let app = app(ctx);
        let series = match decode(Kind::ClassSeries, &series_id) {
            Some(id) => infra::repo::find::<class_series::Entity>(app.db.conn(), viewer.school, id)
                .await
                .map_err(internal)?,
            None => None,
        };
        let Some(series) = series else {
            return Err(bad_input(
                "seriesId",
                Code::NotFound,
                "no class series with this id exists in your school",
            ));
        };
        let chosen = u32::try_from(session_ids.len()).unwrap_or(u32::MAX);
        let quote = infra::billing::registration_quote(
            app.db.conn(),
            viewer.school,
            &series,
            r#type.into(),
            chosen,
            seats as u32,
            app.clock.now(),
        )
        .await
        .map_err(internal)?
        .map_err(|e| bad_input("type", Code::InvalidState, e.to_string()))?;
        let money = |m: kernel::Money| Money {
            amount_minor: m.minor,
            currency: m.currency.as_str().to_owned(),
        };
        Ok(match quote {
            Some(q) => RegistrationQuote {
                per_seat: money(q.per_seat),
                seats: q.seats as i32,
                total: money(q.total),
                basis: q.basis,
            },
            None => {
                let currency = infra::booking::rows::school_currency(app.db.conn(), viewer.school)
                    .await
                    .map_err(internal)?;
                let zero = kernel::Money { minor: 0, currency };
                RegistrationQuote {
                    per_seat: money(zero),
                    seats,
                    total: money(zero),
                    basis: "free of charge".to_owned(),
                }
            }
        })
    }
}
