package com.example.inventory.model;

/** What the inventory holds: a physical good or a service, each priced in cents. */
public sealed interface Item permits Item.Good, Item.Service {

    String sku();

    record Good(String sku, long unitCents, int weightGrams) implements Item {
    }

    record Service(String sku, long hourlyCents, int hours) implements Item {
    }
}
