import { patch } from "@web/core/utils/patch";
import { hootPosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { models } from "@web/../tests/web_test_helpers";

export class StoredValueCard extends models.ServerModel {
    _name = "stored.value.card";

    _load_pos_data_fields() {
        return [
            "id",
            "name",
            "partner_id",
            "state",
            "currency_id",
            "balance",
            "principal_balance",
            "bonus_balance",
            "has_pin",
            "write_date",
        ];
    }

    /** Like the server: the cards of a number or of a customer, fresh, with their holders. */
    pos_search_cards(config_id, { code = null, partner_id = null } = {}) {
        let domain;
        if (code?.trim()) {
            domain = [["name", "=", code.trim()]];
        } else if (partner_id) {
            domain = [["partner_id", "=", partner_id]];
        } else {
            return {};
        }
        domain.push(["state", "in", ["active", "frozen"]]);
        const cards = this.search_read(domain, this._load_pos_data_fields(), false, false, false, false);
        const partnerIds = [...new Set(cards.map((card) => card.partner_id))];
        const Partner = this.env["res.partner"];
        return {
            "stored.value.card": cards,
            "res.partner": Partner.search_read(
                [["id", "in", partnerIds]],
                Partner._load_pos_data_fields(),
                false,
                false,
                false,
                false
            ),
        };
    }

    _records = [
        // Wang Fang: one active card without a PIN.
        {
            id: 1,
            name: "880000001234",
            partner_id: 101,
            state: "active",
            currency_id: 1,
            balance: 100,
            principal_balance: 80,
            bonus_balance: 20,
            has_pin: false,
            write_date: "2026-01-05 10:00:00",
        },
        // Li Lei: an active card with a PIN and a frozen one.
        {
            id: 2,
            name: "880000005678",
            partner_id: 102,
            state: "active",
            currency_id: 1,
            balance: 50,
            principal_balance: 50,
            bonus_balance: 0,
            has_pin: true,
            write_date: "2026-01-05 10:00:00",
        },
        {
            id: 3,
            name: "880000009012",
            partner_id: 102,
            state: "frozen",
            currency_id: 1,
            balance: 30,
            principal_balance: 30,
            bonus_balance: 0,
            has_pin: false,
            write_date: "2026-01-05 10:00:00",
        },
        // Chen Jie: a closed card (reissued) and its active successor.
        {
            id: 4,
            name: "880000003456",
            partner_id: 104,
            state: "closed",
            currency_id: 1,
            balance: 0,
            principal_balance: 0,
            bonus_balance: 0,
            has_pin: false,
            write_date: "2026-01-05 10:00:00",
        },
        {
            id: 5,
            name: "880000007890",
            partner_id: 104,
            state: "active",
            currency_id: 1,
            balance: 20.5,
            principal_balance: 20.5,
            bonus_balance: 0,
            has_pin: false,
            write_date: "2026-01-05 10:00:00",
        },
    ];
}

patch(hootPosModels, [...hootPosModels, StoredValueCard]);
