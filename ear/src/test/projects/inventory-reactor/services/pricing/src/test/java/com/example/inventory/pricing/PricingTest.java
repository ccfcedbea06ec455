package com.example.inventory.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.inventory.model.Item;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PricingTest {

    private final Pricing pricing = new Pricing();

    @Test
    void heavyGoodsCostMore() {
        assertEquals(750, pricing.price(new Item.Good("H", 250, 20_000)));
    }

    @Test
    void servicesAreBilledByTheHour() {
        assertEquals(300, pricing.price(new Item.Service("S", 100, 3)));
    }

    @Nested
    class Lists {
        @Test
        void firstItemIsPriced() {
            assertEquals(250, pricing.firstPrice(List.of(new Item.Good("A", 250, 1), new Item.Service("S", 1, 1))));
        }
    }
}
