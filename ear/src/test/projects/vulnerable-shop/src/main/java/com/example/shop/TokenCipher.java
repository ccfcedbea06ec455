package com.example.shop;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;

public class TokenCipher {

    private final SecretKey key;

    public TokenCipher(SecretKey key) {
        this.key = key;
    }

    public byte[] seal(byte[] token) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(token);
    }
}
