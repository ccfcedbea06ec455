package com.example.inventory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ItemTest {

    @Test
    void recordsKeepTheirSku() {
        assertEquals("A-1", new Item.Good("A-1", 250, 100).sku());
    }

    @Test
    void servicesToo() {
        assertEquals("S-1", new Item.Service("S-1", 9000, 2).sku());
    }
}
