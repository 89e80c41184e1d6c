package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// A storefront that asks the inventory service for stock levels. The client
// closes the response body only on the happy path: when inventory answers
// 503 (it sheds load now and then), the function returns early and the
// connection, with its readLoop/writeLoop goroutines and buffers, is never
// released. Leaking: ~30 connections a minute.

type stockLevel struct {
	SKU       string `json:"sku"`
	Available int    `json:"available"`
	Warehouse string `json:"warehouse"`
}

// InventoryClient talks to the inventory service.
type InventoryClient struct {
	base string
	http *http.Client

	ok, failed atomic.Int64
}

// StockLevel returns the stock of one SKU.
func (c *InventoryClient) StockLevel(sku string) (*stockLevel, error) {
	resp, err := c.http.Get(c.base + "/v1/stock/" + sku)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		c.failed.Add(1)
		return nil, fmt.Errorf("inventory: %s for %s", resp.Status, sku)
	}
	defer resp.Body.Close()
	var level stockLevel
	if err := json.NewDecoder(resp.Body).Decode(&level); err != nil {
		return nil, err
	}
	c.ok.Add(1)
	return &level, nil
}

func inventoryService(r *Rand, shedShare float64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/stock/", func(w http.ResponseWriter, req *http.Request) {
		time.Sleep(r.LogNormal(5*time.Millisecond, 0.6))
		if r.Float64() < shedShare {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"error":"shedding load","queue":%d,"detail":%q}`+"\n", r.Intn(500), strings.Repeat("x", r.Between(40, 400)))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(stockLevel{SKU: strings.TrimPrefix(req.URL.Path, "/v1/stock/"), Available: r.Intn(1000), Warehouse: "ams-2"})
	})
	return mux
}

func startInventoryClient(r *Rand) {
	shed := 0.15 + 0.15*r.Float64()
	leaksPerMinute := 25 + 10*r.Float64()
	rate := leaksPerMinute / 60 / shed
	// the inventory service closes connections idle for 30 s, as real servers do;
	// the client has no timeout (http.DefaultClient), so nothing cancels a request
	// whose body was left open
	c := &InventoryClient{base: loopbackServer(inventoryService(r, shed), 30*time.Second), http: http.DefaultClient}
	arrivals(r, rate, func() {
		_, _ = c.StockLevel(fmt.Sprintf("SKU-%06d", r.Intn(200000)))
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("inventory client: %d ok, %d failed (bodies left open)", c.ok.Load(), c.failed.Load())
	})
}
