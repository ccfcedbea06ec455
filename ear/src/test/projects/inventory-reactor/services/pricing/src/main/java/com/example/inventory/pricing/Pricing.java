package com.example.inventory.pricing;

import com.example.inventory.model.Item;
import java.util.List;

/** Prices items with a switch over the sealed hierarchy and record patterns (Java 21). */
public final class Pricing {

    public long price(Item item) {
        return switch (item) {
            case Item.Good(String sku, long unit, int grams) when grams > 10_000 -> unit + 500;
            case Item.Good(String sku, long unit, int grams) -> unit;
            case Item.Service(String sku, long hourly, int hours) -> hourly * hours;
        };
    }

    /** The first item's price, using the sequenced-collection API of Java 21. */
    public long firstPrice(List<Item> items) {
        return price(items.getFirst());
    }
}
